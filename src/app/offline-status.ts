import { LitElement, css, html } from 'lit';
import { offlineStatus, onOfflineStatus, type OfflineStatus } from '../sw/register';

const TEXT: Record<OfflineStatus['state'], string> = {
  off: '',
  unsupported: 'Needs the network: this browser keeps no offline copy',
  saving: 'Saving for offline use…',
  ready: 'Works offline',
  error: 'Not available offline',
};

/** One line in the header: whether this copy of the app opens without a network. */
export class OfflineStatusLine extends LitElement {
  static override properties = { status: { state: true } };

  status: OfflineStatus = offlineStatus();
  private unsubscribe: (() => void) | null = null;

  static override styles = css`
    :host { font-size: 0.8rem; color: var(--cst-muted, #5b6475); white-space: nowrap; }
    :host([data-state='ready']) .dot { background: #2e9b4f; }
    :host([data-state='error']) { color: #a11; }
    .dot { display: inline-block; width: 0.5rem; height: 0.5rem; border-radius: 50%; background: #c9a227; margin-right: 0.35rem; vertical-align: 0.05rem; }
  `;

  override connectedCallback(): void {
    super.connectedCallback();
    this.unsubscribe = onOfflineStatus((s) => (this.status = s));
    this.status = offlineStatus();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unsubscribe?.();
  }

  override updated(): void {
    this.dataset.state = this.status.state;
    this.dataset.online = String(this.status.online);
  }

  override render() {
    const s = this.status;
    if (s.state === 'off') return '';
    const offlineNow = !s.online && s.state === 'ready' ? ' · you are offline' : '';
    const title = [s.detail, s.version ? `build ${s.version}` : ''].filter(Boolean).join(', ');
    return html`<span class="line" role="status" title=${title}><span class="dot"></span>${TEXT[s.state]}${s.state === 'error' && s.detail ? ` (${s.detail})` : ''}${offlineNow}</span>`;
  }
}

customElements.define('cst-offline-status', OfflineStatusLine);
