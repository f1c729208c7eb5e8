/**
 * Column words of the length-prefixed protocols analysis/app-pdus.ts records (TLS, SSH,
 * BitTorrent, MQTT), as tshark 4.0.17 writes them: packet-tls-utils.c ssl_31_* value strings,
 * packet-ssh.c ssh2_*_msg_vals, packet-bittorrent.c bittorrent_messages, packet-mqtt.c
 * mqtt_msgtype_vals.
 */
import type { PduItem } from '../analysis/app-pdus.js';
import { SSH_KEX_DH, SSH_KEX_ECDH, SSH_KEX_GEX } from '../analysis/app-pdus.js';

const TLS_HS: Record<number, string> = {
  0: 'Hello Request', 1: 'Client Hello', 2: 'Server Hello', 3: 'Hello Verify Request', 4: 'New Session Ticket', 5: 'End of Early Data',
  6: 'Hello Retry Request', 8: 'Encrypted Extensions', 11: 'Certificate', 12: 'Server Key Exchange', 13: 'Certificate Request',
  14: 'Server Hello Done', 15: 'Certificate Verify', 16: 'Client Key Exchange', 20: 'Finished', 21: 'Client Certificate URL',
  22: 'Certificate Status', 23: 'Supplemental Data', 24: 'Key Update', 25: 'Compressed Certificate', 67: 'Encrypted Extensions',
  254: 'Message Hash',
};

const ALERT_LEVEL: Record<number, string> = { 1: 'Warning', 2: 'Fatal' };
const ALERT_DESC: Record<number, string> = {
  0: 'Close Notify', 1: 'End of Early Data', 10: 'Unexpected Message', 20: 'Bad Record MAC', 21: 'Decryption Failed',
  22: 'Record Overflow', 30: 'Decompression Failure', 40: 'Handshake Failure', 41: 'No Certificate', 42: 'Bad Certificate',
  43: 'Unsupported Certificate', 44: 'Certificate Revoked', 45: 'Certificate Expired', 46: 'Certificate Unknown',
  47: 'Illegal Parameter', 48: 'Unknown CA', 49: 'Access Denied', 50: 'Decode Error', 51: 'Decrypt Error', 60: 'Export Restriction',
  70: 'Protocol Version', 71: 'Insufficient Security', 80: 'Internal Error', 86: 'Inappropriate Fallback', 90: 'User Canceled',
  100: 'No Renegotiation', 109: 'Missing Extension', 110: 'Unsupported Extension', 111: 'Certificate Unobtainable',
  112: 'Unrecognized Name', 113: 'Bad Certificate Status Response', 114: 'Bad Certificate Hash Value', 115: 'Unknown PSK Identity',
  116: 'Certificate Required', 120: 'No application Protocol', 121: 'ECH Required',
};

const SSLV2: Record<number, string> = { 0: 'Error', 1: 'Client Hello', 2: 'Client Master Key', 4: 'Server Hello' };

const SSH2_MSGS: Record<number, string> = {
  1: 'Disconnect', 2: 'Ignore', 3: 'Unimplemented', 4: 'Debug', 5: 'Service Request', 6: 'Service Accept', 20: 'Key Exchange Init',
  21: 'New Keys', 50: 'User Authentication Request', 51: 'User Authentication Failure', 52: 'User Authentication Success',
  53: 'User Authentication Banner', 60: 'Public Key algorithm accepted', 80: 'Global Request', 81: 'Request Success', 82: 'Request Failure',
  90: 'Channel Open', 91: 'Channel Open Confirmation', 92: 'Channel Open Failure', 93: 'Window Adjust', 94: 'Channel Data',
  95: 'Channel Extended Data', 96: 'Channel EOF', 97: 'Channel Close', 98: 'Channel Request', 99: 'Channel Success', 100: 'Channel Failure',
};
const SSH_KEX_MSGS: Record<number, Record<number, string>> = {
  [SSH_KEX_DH]: { 30: 'Diffie-Hellman Key Exchange Init', 31: 'Diffie-Hellman Key Exchange Reply' },
  [SSH_KEX_GEX]: {
    30: 'Diffie-Hellman Group Exchange Request (Old)', 31: 'Diffie-Hellman Group Exchange Group', 32: 'Diffie-Hellman Group Exchange Init',
    33: 'Diffie-Hellman Group Exchange Reply', 34: 'Diffie-Hellman Group Exchange Request',
  },
  [SSH_KEX_ECDH]: { 30: 'Elliptic Curve Diffie-Hellman Key Exchange Init', 31: 'Elliptic Curve Diffie-Hellman Key Exchange Reply' },
};

const BT_MSGS: Record<number, string> = {
  0: 'Choke', 1: 'Unchoke', 2: 'Interested', 3: 'Not Interested', 4: 'Have', 5: 'Bitfield', 6: 'Request', 7: 'Piece', 8: 'Cancel',
  9: 'Port', 13: 'Suggest Piece', 14: 'Have All', 15: 'Have None', 16: 'Reject Request', 17: 'Allowed Fast', 20: 'Extended',
};

const MQTT_TYPES = [
  'Reserved', 'Connect Command', 'Connect Ack', 'Publish Message', 'Publish Ack', 'Publish Received', 'Publish Release',
  'Publish Complete', 'Subscribe Request', 'Subscribe Ack', 'Unsubscribe Request', 'Unsubscribe Ack', 'Ping Request',
  'Ping Response', 'Disconnect Req', 'Authentication Exchange',
];

/** thrift_mtype_vals. */
const THRIFT_MTYPES: Record<number, string> = { 1: 'CALL', 2: 'REPLY', 3: 'EXCEPTION', 4: 'ONEWAY' };

const hex = (n: number): string => (n >>> 0).toString(16);

/** The text one item puts in the Info column. */
export function pduItemText(i: PduItem): string {
  switch (i.k) {
    case 'tlsContinuation': return 'Continuation Data';
    case 'tlsIgnored': return 'Ignored Unknown Record';
    case 'tlsCcs': return 'Change Cipher Spec';
    case 'tlsAppData': return 'Application Data';
    case 'tlsEncAlert': return 'Encrypted Alert';
    case 'tlsAlert': return `Alert (Level: ${ALERT_LEVEL[i.a] ?? 'Unknown'}, Description: ${ALERT_DESC[i.b] ?? 'Unknown'})`;
    case 'tlsHs': return TLS_HS[i.a] ?? 'Encrypted Handshake Message';
    case 'tlsHsFrag': return `[${TLS_HS[i.a] ?? 'Encrypted Handshake Message'} Fragment]`;
    case 'tlsEncHs': return 'Encrypted Handshake Message';
    case 'tlsHeartbeat': return 'Encrypted Heartbeat';
    case 'sslv2': return SSLV2[i.a] ?? 'Encrypted Data';
    case 'sshProtocol': return `Protocol (${i.text})`;
    case 'sshMsg': return (i.b === 3 ? SSH2_MSGS[i.a] : SSH_KEX_MSGS[i.b]?.[i.a]) ?? `Unknown (${i.a})`;
    case 'sshEnc': return `Encrypted packet (len=${i.a})`;
    case 'sshDir': return i.a === 1 ? 'Server: ' : 'Client: ';
    case 'btPrefix': return 'BitTorrent ';
    case 'btMsg': return BT_MSGS[i.a] ?? '';
    case 'btContinuation': return 'Continuation data';
    case 'btKeepAlive': return 'KeepAlive';
    case 'btHandshake': return 'Handshake';
    case 'btPieceReq': return `, Piece (Idx:0x${hex(i.a)},Begin:0x${hex(i.b)},Len:0x${hex(i.c)})`;
    case 'btPieceIdx': return `, Piece (Idx:0x${hex(i.a)})`;
    case 'btBitfield': return `, Len:0x${hex(i.a)}`;
    case 'btPiece': return `, Idx:0x${hex(i.a)},Begin:0x${hex(i.b)},Len:0x${hex(i.c)}`;
    case 'btTail': return '  ';
    case 'mqttType': return MQTT_TYPES[i.a] ?? 'Reserved';
    case 'mqttId': return ` (id=${i.a})`;
    case 'mqttTopic': return ` [${i.text}]`;
    case 'thriftMsg': return `${THRIFT_MTYPES[i.a] ?? String(i.a)} ${i.text}`;
    default: return '';
  }
}
