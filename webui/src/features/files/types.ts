// The file manager's shapes (docs/files.md), from the generated types; only this feature
// reads them.
import type { Schemas } from '@/types/api';

export type FileEntry = Schemas['FileEntry'];
export type FolderPage = Schemas['FolderPage'];
export type UploadState = Schemas['UploadState'];
export type TextFile = Schemas['TextFile'];
export type Job = Schemas['Job'];
export type ArchiveFormat = Schemas['ArchiveBody']['format'];

export const isRunning = (job: Job) => job.state === 'queued' || job.state === 'running';

/** The largest text file the editor opens and saves (the API's bound). */
export const TEXT_LIMIT = 2 * 1024 * 1024;

/** A path below `folder` ("" is the home). */
export const join = (folder: string, name: string) => (folder ? `${folder}/${name}` : name);

/** The folder holding `path` ("" for an entry of the home). */
export const parentOf = (path: string) => path.split('/').slice(0, -1).join('/');
