/** shared/tenancy/passwords.py: at least 10 characters, at most 72 bytes (bcrypt). */
export const PASSWORD_MIN = 10;
export const PASSWORD_MAX_BYTES = 72;
