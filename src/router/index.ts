// router: what the rest of the lab may use of it.
export { GrpcRouter, type Route, type RouterFault, type RouterStats } from './grpc-router.js';
export { describeCallFault as describeRouterFault, methodPatternProblem } from '../h2/index.js';
