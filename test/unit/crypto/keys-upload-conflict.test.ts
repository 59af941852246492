// isKeysUploadConflict() recognises the homeserver's refusal of a new identity under a known device (the
// whole crypto directory was lost), in the shape matrix-bot-sdk 0.8 rejects `client.start()` with. The
// texts are Synapse's, seen when a bot restarted with the same access token and an empty crypto directory.
import { isKeysUploadConflict } from '@matrix-org/matrix-sdk-crypto-nodejs';
import { describe, expect, it } from 'vitest';

const synapse =
  'One time key signed_curve25519:AAAAAAAAAA0 already exists. Old key: {"key":"zqYj"}; new key: {\'key\': \'ikxj\'}';

describe('isKeysUploadConflict', () => {
  it("recognises Synapse's answer as matrix-bot-sdk's MatrixError carries it", () => {
    const matrixError = Object.assign(new Error(`M_UNKNOWN: ${synapse}`), {
      errcode: 'M_UNKNOWN',
      error: synapse,
      body: { errcode: 'M_UNKNOWN', error: synapse },
    });
    expect(isKeysUploadConflict(matrixError)).toBe(true);
    expect(isKeysUploadConflict({ body: { errcode: 'M_UNKNOWN', error: synapse } })).toBe(true);
  });

  it('does not mistake other failures for a lost store', () => {
    expect(isKeysUploadConflict(new Error('connect ECONNREFUSED 127.0.0.1:8008'))).toBe(false);
    expect(
      isKeysUploadConflict({ body: { errcode: 'M_UNKNOWN_TOKEN', error: 'Invalid access token passed.' } }),
    ).toBe(false);
    expect(isKeysUploadConflict(undefined)).toBe(false);
  });
});
