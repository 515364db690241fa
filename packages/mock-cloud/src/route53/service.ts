/**
 * Route 53's REST-XML front end under `/2013-04-01/`: routes the path to an operation and writes answers
 * as `<{Operation}Response xmlns="https://route53.amazonaws.com/doc/2013-04-01/">` and errors in the
 * `<ErrorResponse><Error><Type/><Code/><Message/></Error>` shape the SDK maps to its modelled exceptions.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { runApiCall, type ApiCall, type ApiFront } from '../api-call.js';
import { AwsError } from '../aws-error.js';
import type { Cloud } from '../cloud.js';
import { accessKeyIdOf } from '../credentials.js';
import { escapeXml, xmlDocument } from '../xml.js';
import { ROUTE53_OPERATIONS, summarizeChangeBatch } from './operations.js';

const ROUTE53_NAMESPACE = 'https://route53.amazonaws.com/doc/2013-04-01/';

function route53Front(cloud: Cloud, resource: string): ApiFront {
  return {
    errorBody: (error, requestId) =>
      `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${ROUTE53_NAMESPACE}"><Error><Type>${error.status >= 500 ? 'Receiver' : 'Sender'}</Type>` +
      `<Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
    denied: (call: ApiCall) => {
      const account = cloud.state.accountId;
      const role = call.instanceId === undefined ? undefined : cloud.state.instances.get(call.instanceId)?.iamRole;
      const who =
        call.instanceId !== undefined && role !== undefined
          ? `arn:aws:sts::${account}:assumed-role/${role}/${call.instanceId}`
          : `arn:aws:iam::${account}:user/${call.accessKeyId ?? 'anonymous'}`;
      return new AwsError('AccessDenied', `User: ${who} is not authorized to perform: route53:${call.operation} on resource: ${resource}`, 403);
    },
  };
}

interface Route {
  operation: string;
  id: string;
}

/** Maps method and path (after `/2013-04-01/`) to an operation; accepts a trailing slash, as botocore sends one. */
function route(method: string, path: string): Route | undefined {
  let parts: string[];
  try {
    parts = path.replace(/\/+$/, '').split('/').map(decodeURIComponent);
  } catch {
    return undefined;
  }
  const [first, id = '', sub, ...rest] = parts;
  if (rest.length > 0) return undefined;
  if (first === 'hostedzone' && parts.length === 1 && method === 'GET') return { operation: 'ListHostedZones', id: '' };
  if (first === 'hostedzonesbyname' && parts.length === 1 && method === 'GET') return { operation: 'ListHostedZonesByName', id: '' };
  if (first === 'hostedzone' && parts.length === 2 && method === 'GET') return { operation: 'GetHostedZone', id };
  if (first === 'hostedzone' && sub === 'rrset' && method === 'GET') return { operation: 'ListResourceRecordSets', id };
  if (first === 'hostedzone' && sub === 'rrset' && method === 'POST') return { operation: 'ChangeResourceRecordSets', id };
  if (first === 'change' && parts.length === 2 && method === 'GET') return { operation: 'GetChange', id };
  return undefined;
}

export async function handleRoute53(cloud: Cloud, req: IncomingMessage, res: ServerResponse, url: URL, body: string): Promise<void> {
  const path = url.pathname.slice('/2013-04-01/'.length);
  const found = route(req.method ?? 'GET', path);
  const accessKeyId = accessKeyIdOf(req.headers.authorization, url.searchParams);
  const operation = found?.operation ?? `${req.method ?? 'GET'} ${url.pathname}`;
  const handler = found && ROUTE53_OPERATIONS.get(found.operation);
  const id = found?.id ?? '';
  const rejection =
    accessKeyId === undefined
      ? new AwsError('MissingAuthenticationToken', 'Missing Authentication Token', 403)
      : handler === undefined
        ? new AwsError('UnknownOperationException', `Unknown operation ${operation}`, 404)
        : undefined;
  const params: Record<string, unknown> = { ...Object.fromEntries(url.searchParams), ...(id === '' ? {} : { id }) };
  if (found?.operation === 'ChangeResourceRecordSets') params['changeBatch'] = summarizeChangeBatch(body);
  const resource = found?.operation === 'GetChange' ? `arn:aws:route53:::change/${id}` : `arn:aws:route53:::hostedzone/${id || '*'}`;
  await runApiCall(
    cloud,
    route53Front(cloud, resource),
    res,
    { service: 'route53', operation: found?.operation ?? operation, params, accessKeyId, instanceId: cloud.instanceForAccessKey(accessKeyId) },
    () => {
      if (!found || !handler) throw new AwsError('UnknownOperationException', `Unknown operation ${operation}`, 404);
      const members = handler({ cloud, id, query: url.searchParams, body });
      return { status: 200, body: xmlDocument(`${found.operation}Response`, ROUTE53_NAMESPACE, members) };
    },
    rejection,
  );
}
