// router: what the rest of the lab may use of it.
export { GrpcRouter, type Route } from './grpc-router.js';
