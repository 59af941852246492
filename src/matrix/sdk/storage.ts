import type { IFilterInfo, IStorageProvider } from '@vector-im/matrix-bot-sdk';
import type { BotStateStore } from '../../db/bot-state-store.js';

/** matrix-bot-sdk's sync token and filter, kept in the bot's SQLite file (one state store, not a JSON file beside it). */
export class SqliteStorageProvider implements IStorageProvider {
  constructor(
    private readonly state: BotStateStore,
    private readonly options: { onSyncToken?: () => void } = {},
  ) {}

  setSyncToken(token: string | null): void {
    this.options.onSyncToken?.();
    this.state.write('matrix.syncToken', token);
  }

  getSyncToken(): string | null {
    return this.state.read('matrix.syncToken') ?? null;
  }

  setFilter(filter: IFilterInfo): void {
    this.state.write('matrix.filter', JSON.stringify(filter));
  }

  getFilter(): IFilterInfo {
    const raw = this.state.read('matrix.filter');
    return raw ? (JSON.parse(raw) as IFilterInfo) : (undefined as unknown as IFilterInfo);
  }

  storeValue(key: string, value: string): void {
    this.state.write(`matrix.value.${key}`, value);
  }

  readValue(key: string): string | null | undefined {
    return this.state.read(`matrix.value.${key}`);
  }
}
