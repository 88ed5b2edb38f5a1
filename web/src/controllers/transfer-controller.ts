import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ChatService } from '../state/chat-service';
import type { TransferView } from '../transfer/transfer-service';

/**
 * The live state of one file transfer for the host to draw: watches the transfer service for
 * the host's current file id while the host is connected, re-rendering it on every change.
 */
export class TransferController implements ReactiveController {
  /** The transfer as last reported, or null until the service answers. */
  view: TransferView | null = null;
  private watching: string | null = null;
  private unwatch: (() => void) | undefined;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly service: () => ChatService | undefined,
    private readonly fileId: () => string,
    /** Called with each new view, after `view` is set (e.g. to load an image once done). */
    private readonly onView: (v: TransferView) => void = () => undefined,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.watch();
  }

  hostUpdate(): void {
    // The file id is a property: follow it when it changes.
    if ((this.watching ?? '') !== this.fileId() || !this.unwatch) this.watch();
  }

  hostDisconnected(): void {
    this.stop();
  }

  private watch(): void {
    const id = this.fileId();
    const service = this.service();
    if (this.watching === id && this.unwatch) return;
    this.stop();
    if (!id || !service) return;
    this.watching = id;
    this.unwatch = service.transfers.watch(id, (v) => {
      this.view = v;
      this.onView(v);
      this.host.requestUpdate();
    });
  }

  private stop(): void {
    this.unwatch?.();
    this.unwatch = undefined;
    this.watching = null;
  }
}
