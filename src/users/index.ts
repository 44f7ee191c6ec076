export { UsersService, newUserSchema, type NewUser, type UserView } from './users.service.js';
export { ROLES, type Role } from './user.entity.js';
export { SessionsService, passwordSchema, signInSchema, hashPassword, sameSecret } from './sessions.service.js';
