/** Identifier patterns of the v1 contract. They keep names safe in OpenBao paths and HCL. */
export const APPLICATION_PATTERN = /^[a-z][a-z0-9-]{1,31}$/;
export const USER_IDENTIFIER_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;
export const CLIENT_ID_PATTERN = /^[a-z][a-z0-9-]{1,63}$/;
