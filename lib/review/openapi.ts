import { CfnTemplate, CfnTemplateResource } from '../nag/template/template-model';
import { OPENAPI_PATH_METADATA_KEY } from '../nag/rules/helpers';

/**
 * APIs defined by an OpenAPI (Swagger) document in `Body`, as SAM writes them and as many
 * hand-written templates do, have no `AWS::ApiGateway::Method` or `AWS::ApiGatewayV2::Route`
 * resources for the rules to read. This module adds, for review only, one resource per operation
 * of the document, built from the API Gateway extensions it carries, so the method and route rules
 * run on them unchanged:
 *
 * - REST (`AWS::ApiGateway::RestApi`): `x-amazon-apigateway-integration` (type, uri, httpMethod,
 *   timeoutInMillis, connectionType, connectionId) -> `Integration`; a `security` requirement
 *   naming an `apiKey` scheme with `name: x-api-key` -> `ApiKeyRequired`;
 *   `x-amazon-apigateway-request-validator` (operation or document level) and the document's
 *   `x-amazon-apigateway-request-validators` -> a RequestValidator; a `body` parameter (Swagger 2)
 *   or `requestBody` (OpenAPI 3) -> `RequestModels`; query, header and path parameters ->
 *   `RequestParameters`.
 * - HTTP (`AWS::ApiGatewayV2::Api`): each operation -> a Route (`RouteKey` "METHOD /path",
 *   `$default` for the catch-all) and an Integration (`IntegrationType`, `IntegrationUri`,
 *   `TimeoutInMillis`, `PayloadFormatVersion`); a `security` requirement -> the route's
 *   `AuthorizationType` (JWT or CUSTOM).
 *
 * Reference: API Gateway Developer Guide, "OpenAPI extensions to API Gateway"
 * (api-gateway-swagger-extensions-integration, -request-validator(s)) and "Working with
 * OpenAPI definitions for HTTP APIs".
 */

type Props = Record<string, unknown>;
const isObj = (v: unknown): v is Props => typeof v === 'object' && v !== null && !Array.isArray(v);

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'x-amazon-apigateway-any-method'];

/** Resources added for review, and the API each comes from. */
export interface OpenApiOperations {
  readonly resources: Record<string, CfnTemplateResource>;
  readonly origins: ReadonlyMap<string, string>;
}

/** The operations of every inline OpenAPI `Body` in the template, as method / route resources. */
export function openApiOperations(template: CfnTemplate): OpenApiOperations {
  const resources: Record<string, CfnTemplateResource> = {};
  const origins = new Map<string, string>();
  const add = (id: string, api: string, r: CfnTemplateResource) => {
    if (template.Resources[id] !== undefined || resources[id] !== undefined) return;
    resources[id] = r;
    origins.set(id, api);
  };
  // Keys, then a lookup each: Object.entries of a map of hundreds of resources is several times slower.
  for (const apiId of Object.keys(template.Resources)) {
    const r = template.Resources[apiId];
    const body = isObj(r) && isObj(r.Properties) ? r.Properties.Body : undefined;
    if (!isObj(body) || !isObj(body.paths)) continue;
    if (r.Type === 'AWS::ApiGateway::RestApi') restOperations(apiId, body, add);
    else if (r.Type === 'AWS::ApiGatewayV2::Api') httpOperations(apiId, body, add);
  }
  return { resources, origins };
}

function operations(body: Props): Array<{ path: string; method: string; op: Props; item: Props }> {
  const out: Array<{ path: string; method: string; op: Props; item: Props }> = [];
  for (const [path, item] of Object.entries(body.paths as Props)) {
    if (!isObj(item)) continue;
    for (const method of METHODS) {
      const op = item[method];
      if (isObj(op)) out.push({ path, method, op, item });
    }
  }
  return out;
}

function verb(method: string): string {
  return method === 'x-amazon-apigateway-any-method' ? 'ANY' : method.toUpperCase();
}

function securityOf(op: Props, body: Props): Props[] {
  const own = op.security ?? body.security;
  return Array.isArray(own) ? own.filter(isObj) : [];
}

function schemes(body: Props): Props {
  const v2 = body.securityDefinitions;
  const v3 = isObj(body.components) ? body.components.securitySchemes : undefined;
  return { ...(isObj(v2) ? v2 : {}), ...(isObj(v3) ? v3 : {}) };
}

type Add = (id: string, api: string, r: CfnTemplateResource) => void;

function restOperations(apiId: string, body: Props, add: Add): void {
  const defs = schemes(body);
  const validators = isObj(body['x-amazon-apigateway-request-validators']) ? body['x-amazon-apigateway-request-validators'] : {};
  for (const [name, v] of Object.entries(validators)) {
    if (!isObj(v)) continue;
    add(`${apiId}.validator.${name}`, apiId, {
      Type: 'AWS::ApiGateway::RequestValidator',
      Properties: { RestApiId: { Ref: apiId }, Name: name, ValidateRequestBody: v.validateRequestBody === true, ValidateRequestParameters: v.validateRequestParameters === true },
    });
  }
  for (const { path, method, op, item } of operations(body)) {
    const integration = isObj(op['x-amazon-apigateway-integration']) ? op['x-amazon-apigateway-integration'] : undefined;
    const keyRequired = securityOf(op, body).some((req) => Object.keys(req).some((k) => {
      const s = defs[k];
      return isObj(s) && s.type === 'apiKey' && typeof s.name === 'string' && s.name.toLowerCase() === 'x-api-key' && s['x-amazon-apigateway-authtype'] === undefined;
    }));
    const validator = op['x-amazon-apigateway-request-validator'] ?? body['x-amazon-apigateway-request-validator'];
    const params = [...(Array.isArray(item.parameters) ? item.parameters : []), ...(Array.isArray(op.parameters) ? op.parameters : [])].filter(isObj);
    const bodyParam = params.find((p) => p.in === 'body');
    const requestBody = isObj(op.requestBody) && isObj(op.requestBody.content) ? op.requestBody.content : undefined;
    const models: Props | undefined = bodyParam ? { 'application/json': String(bodyParam.name ?? 'body') }
      : requestBody ? Object.fromEntries(Object.keys(requestBody).map((ct) => [ct, 'schema'])) : undefined;
    const requestParameters = Object.fromEntries(params.filter((p) => p.in === 'query' || p.in === 'header' || p.in === 'path')
      .map((p) => [`method.request.${p.in === 'query' ? 'querystring' : p.in}.${String(p.name)}`, p.required === true]));
    add(`${apiId}.${verb(method)}.${path}`, apiId, {
      Type: 'AWS::ApiGateway::Method',
      Metadata: { [OPENAPI_PATH_METADATA_KEY]: path },
      Properties: {
        RestApiId: { Ref: apiId },
        HttpMethod: verb(method),
        ApiKeyRequired: keyRequired,
        ...(typeof validator === 'string' ? { RequestValidatorId: { Ref: `${apiId}.validator.${validator}` } } : {}),
        ...(models ? { RequestModels: models } : {}),
        ...(Object.keys(requestParameters).length > 0 ? { RequestParameters: requestParameters } : {}),
        ...(integration ? {
          Integration: {
            Type: typeof integration.type === 'string' ? integration.type.toUpperCase() : integration.type,
            Uri: integration.uri,
            IntegrationHttpMethod: integration.httpMethod,
            ...(integration.timeoutInMillis !== undefined ? { TimeoutInMillis: integration.timeoutInMillis } : {}),
            ...(integration.connectionType !== undefined ? { ConnectionType: String(integration.connectionType).toUpperCase() } : {}),
            ...(integration.connectionId !== undefined ? { ConnectionId: integration.connectionId } : {}),
            ...(integration.integrationTarget !== undefined ? { IntegrationTarget: integration.integrationTarget } : {}),
          },
        } : {}),
      },
    });
  }
}

function httpOperations(apiId: string, body: Props, add: Add): void {
  const defs = schemes(body);
  for (const { path, method, op } of operations(body)) {
    const integration = isObj(op['x-amazon-apigateway-integration']) ? op['x-amazon-apigateway-integration'] : undefined;
    const routeKey = path === '$default' ? '$default' : `${verb(method)} ${path}`;
    const integrationId = `${apiId}.integration.${routeKey}`;
    const security = securityOf(op, body);
    const authType = security.length === 0 ? 'NONE'
      : security.some((req) => Object.keys(req).some((k) => isObj(defs[k]) && (defs[k] as Props).type === 'oauth2')) ? 'JWT' : 'CUSTOM';
    if (integration) {
      add(integrationId, apiId, {
        Type: 'AWS::ApiGatewayV2::Integration',
        Properties: {
          ApiId: { Ref: apiId },
          IntegrationType: typeof integration.type === 'string' ? integration.type.toUpperCase() : integration.type,
          IntegrationUri: integration.uri,
          ...(integration.timeoutInMillis !== undefined ? { TimeoutInMillis: integration.timeoutInMillis } : {}),
          ...(integration.payloadFormatVersion !== undefined ? { PayloadFormatVersion: integration.payloadFormatVersion } : {}),
          ...(integration.connectionType !== undefined ? { ConnectionType: String(integration.connectionType).toUpperCase() } : {}),
        },
      });
    }
    add(`${apiId}.route.${routeKey}`, apiId, {
      Type: 'AWS::ApiGatewayV2::Route',
      Metadata: { [OPENAPI_PATH_METADATA_KEY]: routeKey },
      Properties: {
        ApiId: { Ref: apiId },
        RouteKey: routeKey,
        AuthorizationType: authType,
        ...(integration ? { Target: { 'Fn::Join': ['/', ['integrations', { Ref: integrationId }]] } } : {}),
      },
    });
  }
}
