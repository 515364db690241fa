/**
 * Validation messages: each says what is wrong and how to fix it, in English and Japanese. Schema checks name
 * a key (`msg:<key>[:arg…]`); cross-field rules call `m.<key>(…)` directly. One catalogue, so the browser and
 * the agent word every error the same way.
 */
import type { Msg } from '../i18n.js';

/** Shows a user's value inside a sentence; long or odd values are shortened, never dropped. */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return value.length > 60 ? `"${value.slice(0, 57)}…"` : `"${value}"`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return 'an object';
}

function showJa(value: unknown): string {
  if (value === undefined) return '未入力';
  return show(value);
}

type MsgFn = (value: unknown, args: readonly string[]) => Msg;

/** Messages for `msg:<key>` errors raised by the schema's own checks. */
const SCHEMA_MESSAGES: Record<string, MsgFn> = {
  ipv4: (v) => ({
    en: `${show(v)} is not an IPv4 address; enter four numbers 0–255 separated by dots, such as 10.0.110.10`,
    ja: `${showJa(v)} は IPv4 アドレスではありません。10.0.110.10 のように 0〜255 の数字 4 つをドットで区切って入力してください`,
  }),
  cidr: (v) => ({
    en: `${show(v)} is not a CIDR block; write an address and a prefix length, such as 10.0.0.0/16`,
    ja: `${showJa(v)} は CIDR ブロックではありません。10.0.0.0/16 のようにアドレスとプレフィックス長を入力してください`,
  }),
  addressOrCidr: (v) => ({
    en: `${show(v)} is neither an IPv4 address nor a CIDR block; enter e.g. 10.0.0.5 or 10.0.0.0/24`,
    ja: `${showJa(v)} は IPv4 アドレスでも CIDR ブロックでもありません。10.0.0.5 や 10.0.0.0/24 のように入力してください`,
  }),
  serverName: (v) => ({
    en: `${show(v)} is not a valid server name; use the host name in lower case (letters, digits and "-"), such as server1`,
    ja: `${showJa(v)} はサーバ名として使えません。server1 のように小文字のホスト名 (英小文字・数字・「-」) を入力してください`,
  }),
  objectName: (v) => ({
    en: `${show(v)} is not a valid name; use 1–31 letters, digits, "-" or "_", starting with a letter or digit`,
    ja: `${showJa(v)} は名前として使えません。英字または数字で始まる 1〜31 文字の英数字・「-」・「_」で入力してください`,
  }),
  vpcId: (v) => ({
    en: `${show(v)} is not a VPC ID; it looks like vpc-0a1b2c3d4e5f67890 (vpc- and 8 or 17 hexadecimal digits)`,
    ja: `${showJa(v)} は VPC ID ではありません。vpc-0a1b2c3d4e5f67890 のように vpc- と 16 進数 8 桁または 17 桁で入力してください`,
  }),
  eniId: (v) => ({
    en: `${show(v)} is not an ENI ID; it looks like eni-0a1b2c3d4e5f60001 (eni- and 8 or 17 hexadecimal digits)`,
    ja: `${showJa(v)} は ENI ID ではありません。eni-0a1b2c3d4e5f60001 のように eni- と 16 進数 8 桁または 17 桁で入力してください`,
  }),
  eipAllocationId: (v) => ({
    en: `${show(v)} is not an EIP allocation ID; it looks like eipalloc-0a1b2c3d4e5f60001`,
    ja: `${showJa(v)} は EIP ALLOCATION ID ではありません。eipalloc-0a1b2c3d4e5f60001 のように入力してください`,
  }),
  instanceId: (v) => ({
    en: `${show(v)} is not an EC2 instance ID; it looks like i-0a1b2c3d4e5f60001`,
    ja: `${showJa(v)} は EC2 インスタンス ID ではありません。i-0a1b2c3d4e5f60001 のように入力してください`,
  }),
  hostedZoneId: (v) => ({
    en: `${show(v)} is not a hosted zone ID; copy it from the Route 53 console (it starts with Z, e.g. Z0KUMOHZ1LOCAL00001A)`,
    ja: `${showJa(v)} はホストゾーン ID ではありません。Route 53 コンソールからコピーしてください (Z で始まります。例: Z0KUMOHZ1LOCAL00001A)`,
  }),
  availabilityZone: (v) => ({
    en: `${show(v)} is not an availability zone name; it looks like ap-northeast-1a`,
    ja: `${showJa(v)} はアベイラビリティーゾーン名ではありません。ap-northeast-1a のように入力してください`,
  }),
  awsRegion: (v) => ({
    en: `${show(v)} is not an AWS region; it looks like ap-northeast-1`,
    ja: `${showJa(v)} は AWS リージョンではありません。ap-northeast-1 のように入力してください`,
  }),
  recordName: (v) => ({
    en: `${show(v)} is not a valid record name; write a fully qualified domain name such as srv.hz1.local.`,
    ja: `${showJa(v)} はリソースレコードセット名として使えません。srv.hz1.local. のように FQDN で入力してください`,
  }),
  recordNameDot: (v) => ({
    en: `${show(v)} must end with a dot; write the FQDN with the trailing dot, such as srv.hz1.local.`,
    ja: `${showJa(v)} の末尾にドットがありません。srv.hz1.local. のように末尾にドット (.) を付けた FQDN で入力してください`,
  }),
  recordNameLower: (v) => ({
    en: `${show(v)} contains upper-case letters; Route 53 record names must be written in lower case`,
    ja: `${showJa(v)} に大文字が含まれています。リソースレコードセット名は小文字で入力してください`,
  }),
  host: (v) => ({
    en: `${show(v)} is not a host name or address; enter e.g. aws.amazon.com or 10.0.10.5`,
    ja: `${showJa(v)} はホスト名でもアドレスでもありません。aws.amazon.com や 10.0.10.5 のように入力してください`,
  }),
  port: (v) => ({
    en: `${show(v)} is not a port number; enter a whole number from 1 to 65535`,
    ja: `${showJa(v)} はポート番号ではありません。1〜65535 の整数を入力してください`,
  }),
  number: (v) => ({ en: `${show(v)} is not a number; enter a number`, ja: `${showJa(v)} は数値ではありません。数値を入力してください` }),
  integer: (v) => ({
    en: `${show(v)} is not a whole number; enter a whole number`,
    ja: `${showJa(v)} は整数ではありません。整数を入力してください`,
  }),
  range: (v, [min, max]) => ({
    en: `${show(v)} is out of range; enter a value from ${min} to ${max}`,
    ja: `${showJa(v)} は範囲外です。${min}〜${max} の値を入力してください`,
  }),
  absolutePath: (v) => ({
    en: `${show(v)} is not an absolute path; enter a path that starts with /, such as /mnt/md1`,
    ja: `${showJa(v)} は絶対パスではありません。/mnt/md1 のように / で始まるパスを入力してください`,
  }),
  text: (v) => ({ en: `${show(v)} is not text; enter text`, ja: `${showJa(v)} は文字列ではありません。文字列を入力してください` }),
  boolean: (v) => ({
    en: `${show(v)} is not on or off; tick or untick the box (true or false)`,
    ja: `${showJa(v)} はオン・オフの値ではありません。チェックボックスで指定してください (true または false)`,
  }),
  nic: (v) => ({
    en: `${show(v)} is not a network interface name; enter a name such as eth0 or ens5 (at most 15 characters)`,
    ja: `${showJa(v)} はネットワークインタフェース名ではありません。eth0 や ens5 のように入力してください (15 文字以内)`,
  }),
  dnsServer: (v) => ({
    en: `${show(v)} is not a DNS server address; enter an IPv4 address with an optional port, such as 10.0.0.2 or 10.0.0.2:53`,
    ja: `${showJa(v)} は DNS サーバのアドレスではありません。10.0.0.2 や 10.0.0.2:53 のように入力してください`,
  }),
  mountOptions: (v) => ({
    en: `${show(v)} are not valid mount options; write comma-separated options without spaces, such as rw,noatime`,
    ja: `${showJa(v)} はマウントオプションとして使えません。rw,noatime のように空白なしのカンマ区切りで入力してください`,
  }),
  urlPath: (v) => ({
    en: `${show(v)} is not a URL path; enter a path that starts with /, such as /health`,
    ja: `${showJa(v)} は URL のパスではありません。/health のように / で始まるパスを入力してください`,
  }),
  commentLength: () => ({
    en: 'the comment is too long; shorten it to 127 characters or fewer',
    ja: 'コメントが長すぎます。127 文字以内にしてください',
  }),
  scriptLength: () => ({
    en: 'the script is too long; keep it under 64 KiB or call a program installed on the server',
    ja: 'スクリプトが長すぎます。64 KiB 未満にするか、サーバにインストールしたプログラムを呼び出してください',
  }),
};

/** Renders a `msg:<key>[:arg…]` schema message, or undefined when `raw` is not one. */
export function schemaMessage(raw: string, value: unknown): Msg | undefined {
  if (!raw.startsWith('msg:')) return undefined;
  const [key, ...args] = raw.slice(4).split(':');
  const fn = key === undefined ? undefined : SCHEMA_MESSAGES[key];
  return fn ? fn(value, args) : undefined;
}

/** Generic sentences for zod's own issue kinds (a value of the wrong kind, a missing field, an unknown key). */
export const generic = {
  required: (): Msg => ({ en: 'this field is required; enter a value', ja: 'この項目は必須です。値を入力してください' }),
  wrongType: (expected: string, v: unknown): Msg => ({
    en: `expected ${expected} but got ${show(v)}; enter ${expected}`,
    ja: `${expected} が必要ですが ${showJa(v)} が入力されています。${expected} を入力してください`,
  }),
  unknownKeys: (keys: readonly string[]): Msg => ({
    en: `unknown setting${keys.length > 1 ? 's' : ''} ${keys.map((k) => `"${k}"`).join(', ')}; remove ${keys.length > 1 ? 'them' : 'it'} or check the spelling`,
    ja: `不明な設定項目 ${keys.map((k) => `「${k}」`).join('、')} があります。削除するか綴りを確認してください`,
  }),
  oneOf: (options: readonly string[], v: unknown): Msg => ({
    en: `${show(v)} is not allowed; choose one of ${options.map((o) => `"${o}"`).join(', ')}`,
    ja: `${showJa(v)} は指定できません。${options.map((o) => `「${o}」`).join('、')} のいずれかを選択してください`,
  }),
  tooShortList: (min: number): Msg => ({
    en: `add at least ${min} item${min > 1 ? 's' : ''}`,
    ja: `少なくとも ${min} 件追加してください`,
  }),
  tooLongList: (max: number): Msg => ({ en: `remove items; at most ${max} are allowed`, ja: `${max} 件以下にしてください` }),
  tooShortText: (): Msg => ({ en: 'this field must not be empty; enter a value', ja: 'この項目は空にできません。値を入力してください' }),
  invalid: (v: unknown): Msg => ({
    en: `${show(v)} is not valid here; check the value against the field's help`,
    ja: `${showJa(v)} はここでは使えません。項目の説明を確認してください`,
  }),
};
