/** The OAuth2 scopes the sample uses. */
export const USERINFO_EMAIL = 'https://www.googleapis.com/auth/userinfo.email';
export const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';
export const CALENDAR_READONLY = 'https://www.googleapis.com/auth/calendar.readonly';
export const DRIVE = 'https://www.googleapis.com/auth/drive';
