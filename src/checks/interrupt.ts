export { AnalysisInterruptedError, type Interrupt } from '../semantics/interrupt.js';
