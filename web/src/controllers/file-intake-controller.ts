import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { fileNameStamp } from '../format/format';

/**
 * Files dropped on, or pasted into, a conversation element: handed to `take`. While files are
 * dragged over it the host has the `dragging` attribute (its styles show where to drop). A
 * pasted image without a real name gets one from the local time (pasted-2026-11-23-14-05-09.png).
 */
export class FileIntakeController implements ReactiveController {
  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly take: (files: File[]) => void,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.host.addEventListener('dragover', this.onDragOver);
    this.host.addEventListener('dragleave', this.onDragLeave);
    this.host.addEventListener('drop', this.onDrop);
    this.host.addEventListener('paste', this.onPaste);
  }

  hostDisconnected(): void {
    this.host.removeEventListener('dragover', this.onDragOver);
    this.host.removeEventListener('dragleave', this.onDragLeave);
    this.host.removeEventListener('drop', this.onDrop);
    this.host.removeEventListener('paste', this.onPaste);
  }

  private readonly onDragOver = (e: DragEvent): void => {
    if (!e.dataTransfer?.types.includes('Files')) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
    this.host.toggleAttribute('dragging', true);
  };

  private readonly onDragLeave = (e: DragEvent): void => {
    if (!e.relatedTarget || !this.host.contains(e.relatedTarget as Node)) this.host.toggleAttribute('dragging', false);
  };

  private readonly onDrop = (e: DragEvent): void => {
    this.host.toggleAttribute('dragging', false);
    const files = [...(e.dataTransfer?.files ?? [])];
    if (!files.length) return;
    e.preventDefault();
    this.take(files);
  };

  private readonly onPaste = (e: ClipboardEvent): void => {
    const files = [...(e.clipboardData?.files ?? [])];
    if (!files.length) return;
    e.preventDefault();
    const stamp = fileNameStamp(Date.now());
    this.take(files.map((f) => (f.name && f.name !== 'image.png' ? f : new File([f], `pasted-${stamp}.${f.type.split('/')[1] ?? 'png'}`, { type: f.type }))));
  };
}
