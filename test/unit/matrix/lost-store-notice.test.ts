// What each admin is told when the bot's keys were lost, and what makes it once.
import { describe, expect, it } from 'vitest';
import { de } from '../../../src/i18n/de.js';
import { en } from '../../../src/i18n/en.js';
import { lostStoreNotice } from '../../../src/matrix/sdk/crypto.js';

const lost = { kind: 'lost', reason: 'store missing', deviceId: 'OLDDEVICE' } as const;
const newDevice = (oldDeviceRemoved: boolean) =>
  ({ kind: 'new-device', oldDeviceId: 'OLDDEVICE', newDeviceId: 'NEWDEVICE', oldDeviceRemoved }) as const;

describe('the admins’ notice about a lost key store', () => {
  it('after a new device: names both devices, the unreadable old messages and the unverified new device', () => {
    const notice = lostStoreNotice(lost, newDevice(true));
    expect(notice.note).toBe('new-device:NEWDEVICE');
    const nothingRecovered = { crossSigned: false, roomKeys: null };
    expect(notice.text(de).text).toBe(
      de.cryptoNewDevice('store missing', 'OLDDEVICE', 'NEWDEVICE', true, nothingRecovered).text,
    );
    const english = notice.text(en).text;
    expect(english).toContain('old device OLDDEVICE, new device NEWDEVICE');
    expect(english).toContain('unverified');
  });

  it('after a new device recovered with the recovery key: cross-signed, old messages readable from the backup', () => {
    const recovered = lostStoreNotice(lost, newDevice(true), { crossSigned: true, roomKeys: 12 });
    expect(recovered.text(de).text).toBe(
      de.cryptoNewDevice('store missing', 'OLDDEVICE', 'NEWDEVICE', true, { crossSigned: true, roomKeys: 12 })
        .text,
    );
    const english = recovered.text(en).text;
    expect(english).toContain('I restored 12 room keys from the key backup');
    expect(english).not.toContain('stay unreadable');
    expect(english).not.toContain('not cross-signed');
    // Without the recovery key: the admins learn what the new device cannot do, and the fix.
    const bare = lostStoreNotice(lost, newDevice(true)).text(en).text;
    expect(bare).toContain('stay unreadable to me');
    expect(bare).toContain('The new device is not cross-signed');
    expect(bare).toContain('matrix.recoveryKey');
  });

  it('says when the old device could not be removed', () => {
    const notice = lostStoreNotice(lost, newDevice(false));
    expect(notice.text(en).text).toContain('I could not log the old device out');
  });

  it('without a password: unencrypted, once per lost device, naming both ways out', () => {
    const notice = lostStoreNotice(lost, { kind: 'unencrypted' });
    expect(notice.note).toBe('lost:OLDDEVICE');
    expect(notice.text(en).text).toContain('matrix.password');
    expect(notice.text(en).text).toContain('create a new access token');
  });

  it('after a failed login: the homeserver’s reason, once per lost device', () => {
    const notice = lostStoreNotice(lost, {
      kind: 'unencrypted',
      loginFailure: 'the homeserver refused the login (M_FORBIDDEN: Invalid username or password)',
    });
    expect(notice.note).toBe('lost:OLDDEVICE');
    expect(notice.text(de).text).toContain('M_FORBIDDEN');
    expect(notice.text(de).text).toBe(
      de.cryptoStoreLost(
        'store missing',
        'the homeserver refused the login (M_FORBIDDEN: Invalid username or password)',
      ).text,
    );
  });
});
