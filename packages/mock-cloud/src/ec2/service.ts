/**
 * EC2's Query protocol front end: `POST /` with a form-encoded body (or `GET /?Action=…`), answered with
 * `<{Action}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">` or `<Response><Errors>…`.
 * The caller is identified from its SigV4 access key; requests signed for another region see an empty one.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { runApiCall, type ApiFront } from '../api-call.js';
import { AwsError } from '../aws-error.js';
import type { Cloud } from '../cloud.js';
import { accessKeyIdOf, signedRegionOf } from '../credentials.js';
import { escapeXml, xmlDocument } from '../xml.js';
import { EC2_ACTIONS } from './operations.js';
import { QueryParams } from './query.js';

const EC2_NAMESPACE = 'http://ec2.amazonaws.com/doc/2016-11-15/';

const ec2Front: ApiFront = {
  errorBody: (error, requestId) =>
    `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${escapeXml(error.code)}</Code>` +
    `<Message>${escapeXml(error.message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`,
  denied: () => new AwsError('UnauthorizedOperation', 'You are not authorized to perform this operation.', 403),
};

export async function handleEc2(cloud: Cloud, req: IncomingMessage, res: ServerResponse, url: URL, body: string): Promise<void> {
  const params = new QueryParams(req.method === 'POST' ? new URLSearchParams(body) : url.searchParams);
  const accessKeyId = accessKeyIdOf(req.headers.authorization, url.searchParams);
  const action = params.action ?? '';
  const handler = EC2_ACTIONS.get(action);
  const rejection =
    accessKeyId === undefined
      ? new AwsError('AuthFailure', 'AWS was not able to validate the provided access credentials', 401)
      : action === ''
        ? new AwsError('MissingAction', 'The request must contain the parameter Action')
        : handler === undefined
          ? new AwsError('InvalidAction', `The action ${action} is not valid for this web service.`)
          : undefined;
  const call = {
    service: 'ec2' as const,
    operation: action === '' ? '(none)' : action,
    params: params.toRecord(),
    accessKeyId,
    instanceId: cloud.instanceForAccessKey(accessKeyId),
  };
  const region = signedRegionOf(req.headers.authorization, url.searchParams);
  await runApiCall(
    cloud,
    ec2Front,
    res,
    call,
    (requestId) => {
      if (handler === undefined) throw new AwsError('InvalidAction', `The action ${action} is not valid for this web service.`);
      if (params.boolean('DryRun') === true) {
        throw new AwsError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412);
      }
      const members = handler({ params, state: cloud.regionState(region), cloud });
      return { status: 200, body: xmlDocument(`${action}Response`, EC2_NAMESPACE, { requestId, ...members }) };
    },
    rejection,
  );
}
