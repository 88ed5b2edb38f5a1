/**
 * The folder of received files in the Origin Private File System (OPFS_DIR): one file per
 * transfer, named by its file id. Operations on stored files that need no open sink.
 */
import { OPFS_DIR } from './opfs-protocol';
import { toSinkError } from './sink-error';

const FILE_ID_RE = /^[0-9a-f]{32}$/;

/** File ids are 32 lowercase hex chars (shared/transfer): also what makes them safe as OPFS names. */
export function isFileId(name: string): boolean {
  return FILE_ID_RE.test(name);
}

export function checkFileId(fileId: string): void {
  if (!isFileId(fileId)) throw new RangeError('fileId must be 32 lowercase hex chars');
}

/** Files a sink of this page opened: a transfer running now, whatever its record says. */
const openedHere = new Set<string>();

export function markOpenedHere(fileId: string): void {
  openedHere.add(fileId);
}

export function wasOpenedHere(fileId: string): boolean {
  return openedHere.has(fileId);
}

export async function filesDir(): Promise<FileSystemDirectoryHandle> {
  try {
    return await (await navigator.storage.getDirectory()).getDirectoryHandle(OPFS_DIR, { create: true });
  } catch (e) {
    throw toSinkError(e);
  }
}

/** The stored file of a finished transfer (the history's "Save" after a reload), or null. */
export async function openFileOf(fileId: string, meta: { name?: string; type?: string } = {}): Promise<File | null> {
  checkFileId(fileId);
  let file: File;
  try {
    file = await (await (await filesDir()).getFileHandle(fileId)).getFile();
  } catch (e) {
    const err = toSinkError(e);
    if (err.code === 'not-found') return null;
    throw err;
  }
  return meta.name || meta.type ? new File([file], meta.name ?? file.name, { type: meta.type ?? '' }) : file;
}

/**
 * Removes a stored file without an open sink (a transfer cancelled in an earlier page, or
 * housekeeping). Rejects with code 'unavailable' while a sink of this page has it open; a file
 * that is not there counts as removed.
 */
export async function deleteOpfsFile(fileId: string): Promise<void> {
  checkFileId(fileId);
  try {
    await (await filesDir()).removeEntry(fileId);
  } catch (e) {
    const err = toSinkError(e);
    if (err.code !== 'not-found') throw err;
  }
}

/** The file entries of the folder whose names are file ids (anything else there is left alone). */
export async function storedFileHandles(dir: FileSystemDirectoryHandle): Promise<FileSystemFileHandle[]> {
  const out: FileSystemFileHandle[] = [];
  // entries() is in every engine with OPFS; TypeScript's DOM lib does not declare it yet.
  const entries = (dir as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }).entries();
  for await (const [name, handle] of entries) {
    if (handle.kind === 'file' && isFileId(name)) out.push(handle as FileSystemFileHandle);
  }
  return out;
}

/** Every stored file (id and size), for housekeeping of transfers the history no longer knows. */
export async function listOpfsFiles(): Promise<{ fileId: string; size: number }[]> {
  const out: { fileId: string; size: number }[] = [];
  for (const handle of await storedFileHandles(await filesDir())) {
    out.push({ fileId: handle.name, size: (await handle.getFile()).size });
  }
  return out;
}
