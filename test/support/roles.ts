import { OWNER_ROLE, SERVICE_ROLE, type RoleLogin, urlAs } from '../../src/db/roles.js';

/** The test cluster's roles (loopback only, removed with the run): the owner migrates, the service runs as the service role. */
export const TEST_OWNER: RoleLogin = { name: OWNER_ROLE, password: 'owner-test-password' };
export const TEST_SERVICE: RoleLogin = { name: SERVICE_ROLE, password: 'service-test-password' };

/** The same database as the service role / the owner (the URL the tests get is the superuser's). */
export const asService = (url: string): string => urlAs(url, TEST_SERVICE);
export const asOwner = (url: string): string => urlAs(url, TEST_OWNER);
