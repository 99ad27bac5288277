import { TemplateModel } from '../../template/template-model';
import { T } from '../helpers';

/**
 * True for an HTTP API: ProtocolType HTTP, or an API imported from an OpenAPI Body (WebSocket APIs
 * cannot be imported from OpenAPI, so a Body means HTTP). Source: CloudFormation
 * AWS::ApiGatewayV2::Api (ProtocolType, Body).
 */
export function isHttpApi(model: TemplateModel, apiId: string | undefined): boolean {
  if (apiId === undefined || model.typeOf(apiId) !== T.HTTP_API) return false;
  const p = model.props(apiId);
  return p.ProtocolType === 'HTTP' || (p.ProtocolType === undefined && (p.Body !== undefined || p.BodyS3Location !== undefined));
}

/** The HTTP API a stage, route or integration belongs to, when it is an HTTP API of this template. */
export function httpApiOf(model: TemplateModel, id: string): string | undefined {
  const api = model.target(model.props(id).ApiId, T.HTTP_API);
  return isHttpApi(model, api) ? api : undefined;
}

/** Label: `HTTP API "name" (Id)`. */
export function httpApiLabel(model: TemplateModel, apiId: string): string {
  const name = model.props(apiId).Name;
  return typeof name === 'string' ? `HTTP API "${name}" (${apiId})` : `HTTP API ${apiId}`;
}

/** True when a stage, route or integration belongs to an API of this template that is not an HTTP API (WebSocket). */
export function onWebSocketApi(model: TemplateModel, id: string): boolean {
  return httpApiOf(model, id) === undefined && model.target(model.props(id).ApiId, T.HTTP_API) !== undefined;
}
