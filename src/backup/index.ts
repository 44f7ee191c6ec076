/** Backup and verified restore: the public face of src/backup. */
export { BackupService, backupFileName, type BackupResult, type BackupSettings, type BackupStatus } from './backup.service.js';
export { writeBackup, type BackupOptions, type BackupProgress } from './backup.writer.js';
export { BackupRefused, readLayout, sealed, verifyBackupFile, type BackupManifest, type SealedManifest } from './backup.format.js';
export { restoreBackup, type RestoreOptions, type RestoreTarget } from './restore.js';
export { RestoreProofFailed, type RestoreProgress, type RestoreReport } from './restore.load.js';
