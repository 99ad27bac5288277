export { SecurityPosture, type RegulatedPostureOptions } from './security-posture';
