interface SaveFilePicker {
  showSaveFilePicker?: (o: { suggestedName: string }) => Promise<{ createWritable(): Promise<{ write(d: Blob): Promise<void>; close(): Promise<void> }> }>;
}

/**
 * Saves a finished Blob: to a file the person picks where the browser can (File System Access
 * API), else as a download. False when the person closed the save dialog.
 */
export async function saveBlob(blob: Blob, name: string): Promise<boolean> {
  const picker = (window as unknown as SaveFilePicker).showSaveFilePicker;
  if (picker) {
    let handle;
    try {
      handle = await picker({ suggestedName: name });
    } catch (err) {
      if (err instanceof DOMException && err.name === 'AbortError') return false;
      throw err;
    }
    const w = await handle.createWritable();
    await w.write(blob);
    await w.close();
    return true;
  }
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  // The download has its own copy once started.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return true;
}
