import t from 'tap';
t.test('node major', async (t) => {
  t.equal(process.versions.node.split('.')[0], '24');
});
