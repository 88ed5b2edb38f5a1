import { LitElement, css, html, nothing } from 'lit';
import { localized, msg } from '@lit/localize';
import { customElement, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import { theme } from '../styles/theme';
import { fieldStyles, settingsStyles } from './settings-styles';
import { serviceContext, sessionContext, type SessionState } from '../state/contexts';
import type { ChatService } from '../state/chat-service';
import { StoreController } from '../state/store-controller';
import { usernameKey } from '../../../shared/index';
import { EVERYDAY_LIMITS } from '../../../shared/messaging/everyday-messages';
import { describeError } from '../l10n/error-text';
import { ProfilesController } from '../everyday/profiles-controller';
import { reencodeAvatar, type AvatarImage } from '../everyday/avatar-image';
import { avatarDataUrl } from '../everyday/profile-view';
import '../everyday/pc-avatar';

/** The avatar being edited: unchanged (what is stored), a new image, or removed. */
type AvatarEdit = { kind: 'unchanged' } | { kind: 'new'; image: AvatarImage; url: string } | { kind: 'removed' };

/**
 * The Profile section of Settings: the display name and the avatar contacts see. A chosen image
 * is re-encoded on this device at once (small, square, no metadata); Save keeps both and sends
 * them to contacts and my other devices over the end-to-end sessions.
 */
@customElement('pc-settings-profile')
@localized()
export class PcSettingsProfile extends LitElement {
  static override styles = [
    theme,
    settingsStyles,
    fieldStyles,
    css`
      :host {
        display: block;
      }
      .who {
        display: flex;
        align-items: center;
        gap: 14px;
        min-width: 0;
      }
      .who pc-avatar {
        --size: 72px;
      }
      .who .names {
        min-width: 0;
        overflow-wrap: anywhere;
      }
      .who strong {
        display: block;
        font-size: 1.1rem;
      }
      /* The file input is the picture button's real control: hidden, focus shown on the label. */
      .pick {
        position: relative;
        display: inline-flex;
        align-items: center;
        min-height: var(--pc-touch);
        padding: 0 14px;
        border: 1px solid var(--pc-border);
        border-radius: 8px;
        background: var(--pc-bg);
        cursor: pointer;
      }
      .pick:focus-within {
        outline: 3px solid var(--pc-accent);
        outline-offset: 2px;
      }
      .pick input {
        position: absolute;
        width: 1px;
        height: 1px;
        opacity: 0;
        overflow: hidden;
      }
    `,
  ];

  @consume({ context: serviceContext }) service!: ChatService;
  private readonly session = new StoreController<SessionState>(this, sessionContext);
  private readonly profiles = new ProfilesController(this);
  /** The name being typed; null: the stored one. */
  @state() private name: string | null = null;
  @state() private avatar: AvatarEdit = { kind: 'unchanged' };
  @state() private busy = false;
  @state() private error = '';
  @state() private saved = false;

  private me(): string {
    return usernameKey(this.session.value?.username ?? '');
  }

  private async pick(e: Event): Promise<void> {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    this.error = '';
    this.saved = false;
    try {
      const image = await reencodeAvatar(file);
      this.avatar = { kind: 'new', image, url: avatarDataUrl({ name: '', ts: 0, avatar: { ...image, hash: '' } }) ?? '' };
    } catch (err) {
      console.warn('Peerchat: the chosen picture could not be read as an image', err);
      this.error = 'AVATAR_UNREADABLE';
    }
  }

  private async save(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const stored = this.profiles.of(this.me());
    const avatar = this.avatar.kind === 'new' ? this.avatar.image : this.avatar.kind === 'removed' || !stored?.avatar ? null : { mime: stored.avatar.mime, bytes: stored.avatar.bytes };
    this.busy = true;
    this.error = '';
    try {
      await this.service.profiles.setMine(this.name ?? stored?.name ?? '', avatar);
      this.name = null;
      this.avatar = { kind: 'unchanged' };
      this.saved = true;
    } catch (err) {
      console.warn('Peerchat: the profile could not be kept', err);
      this.error = err instanceof DOMException && err.name === 'QuotaExceededError' ? 'STORAGE_FULL' : 'UNEXPECTED';
    } finally {
      this.busy = false;
    }
  }

  override render() {
    const me = this.me();
    const username = this.session.value?.username ?? '';
    const stored = this.profiles.of(me);
    const name = this.name ?? stored?.name ?? '';
    const src = this.avatar.kind === 'new' ? this.avatar.url : this.avatar.kind === 'removed' ? null : this.profiles.avatar(me);
    const changed = this.name !== null || this.avatar.kind !== 'unchanged';
    return html`<section aria-labelledby="profile-title">
      <h3 id="profile-title">${msg('Profile')}</h3>
      <div class="who">
        <pc-avatar .name=${name || username} .src=${src}></pc-avatar>
        <div class="names"><strong>${name || username}</strong><span class="muted">@${username}</span></div>
      </div>
      <form class="part" @submit=${(e: SubmitEvent) => void this.save(e)}>
        <label class="field"
          >${msg('Display name')}
          <input
            type="text"
            name="display-name"
            autocomplete="nickname"
            maxlength=${EVERYDAY_LIMITS.maxDisplayNameChars}
            .value=${name}
            @input=${(e: Event) => ((this.name = (e.target as HTMLInputElement).value), (this.saved = false))}
          />
        </label>
        <p class="muted">${msg('Your contacts see this name and picture next to your username. The picture is made small on this device and sent only to them, end-to-end encrypted.')}</p>
        <div class="buttons">
          <label class="pick">${src ? msg('Change picture') : msg('Choose a picture')}<input type="file" accept="image/*" @change=${(e: Event) => void this.pick(e)} /></label>
          ${src ? html`<button type="button" @click=${() => ((this.avatar = { kind: 'removed' }), (this.saved = false))}>${msg('Remove picture')}</button>` : nothing}
          <button class="primary" type="submit" ?disabled=${this.busy || !changed}>${msg('Save profile')}</button>
        </div>
        ${this.error ? html`<p class="error" role="alert">${describeError(this.error)}</p>` : nothing}
        ${this.saved ? html`<p class="ok" role="status">${msg('Profile saved. Contacts get it when they are connected.')}</p>` : nothing}
      </form>
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pc-settings-profile': PcSettingsProfile;
  }
}
