/**
 * What a user sees while `mm365 try` runs: a WebSocket opened as that user (as their Mattermost client would
 * be), collecting posts in their channels, ephemeral messages and the dialogs opened for them, in arrival order.
 * Authenticates with `authentication_challenge` (Node's WebSocket cannot send headers).
 */
export interface Seen {
  kind: 'post' | 'edited' | 'ephemeral' | 'dialog';
  channelId: string;
  userId: string;
  message: string;
  /** Button labels of interactive attachments, so the transcript shows what can be clicked. */
  buttons: string[];
  text: string;
}

interface WsEvent {
  event?: string;
  data?: { post?: string; dialog?: string };
  seq_reply?: number;
  status?: string;
}

export class UserView {
  readonly seen: Seen[] = [];
  #socket: WebSocket | undefined;

  async open(mattermostUrl: string, token: string): Promise<void> {
    const url = `${mattermostUrl.replace(/^http/, 'ws')}/api/v4/websocket`;
    const socket = new WebSocket(url);
    this.#socket = socket;
    await new Promise<void>((ready, fail) => {
      const timer = setTimeout(() => fail(new Error(`no hello from ${url} within 5 s`)), 5000);
      socket.addEventListener('error', () => fail(new Error(`cannot open ${url}`)));
      socket.addEventListener('open', () => {
        socket.send(JSON.stringify({ seq: 1, action: 'authentication_challenge', data: { token } }));
      });
      socket.addEventListener('message', (m) => {
        const event = JSON.parse(String(m.data)) as WsEvent;
        if (event.event === 'hello') {
          clearTimeout(timer);
          ready();
        } else this.#record(event);
      });
    });
  }

  #record(event: WsEvent): void {
    if (event.event === 'open_dialog' && event.data?.dialog) {
      this.#recordDialog(event.data.dialog);
      return;
    }
    const kind =
      event.event === 'posted'
        ? 'post'
        : event.event === 'post_edited'
          ? 'edited'
          : event.event === 'ephemeral_message'
            ? 'ephemeral'
            : undefined;
    if (!kind || !event.data?.post) return;
    const post = JSON.parse(event.data.post) as {
      channel_id: string;
      user_id: string;
      message: string;
      props?: { attachments?: { title?: string; text?: string; actions?: { name?: string }[] }[] };
    };
    const attachments = post.props?.attachments ?? [];
    this.seen.push({
      kind,
      channelId: post.channel_id,
      userId: post.user_id,
      message: post.message,
      buttons: attachments.flatMap((a) => (a.actions ?? []).map((b) => b.name ?? '?')),
      text: [post.message, ...attachments.flatMap((a) => [a.title ? `**${a.title}**` : '', a.text ?? ''])]
        .filter((t) => t !== '')
        .join('\n'),
    });
  }

  /** A dialog Mattermost opens for the user: its title and fields, as the form would show them. */
  #recordDialog(raw: string): void {
    const { dialog } = JSON.parse(raw) as {
      dialog?: {
        title?: string;
        elements?: { display_name?: string; type?: string; default?: string; optional?: boolean }[];
        submit_label?: string;
      };
    };
    const fields = (dialog?.elements ?? []).map(
      (e) =>
        `${e.display_name ?? '?'} (${e.type ?? 'text'}${e.optional ? ', optional' : ''})${e.default ? `: ${e.default}` : ''}`,
    );
    this.seen.push({
      kind: 'dialog',
      channelId: '',
      userId: '',
      message: dialog?.title ?? '',
      buttons: [dialog?.submit_label ?? 'Submit'],
      text: [`dialog "${dialog?.title ?? ''}"`, ...fields].join('\n'),
    });
  }

  close(): void {
    this.#socket?.close();
  }
}
