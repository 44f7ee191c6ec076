// Tests ask the OS for ports the same way the service's own start does.
export { freePort } from '../../src/db/embedded-postgres.js';
