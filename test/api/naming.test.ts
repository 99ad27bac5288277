import { Template } from 'aws-cdk-lib/assertions';
import { serviceStack } from '../support/stacks';

test('createCloudWatchRole false synthesizes and leaves the account-level logging role alone', () => {
  const { template, service } = serviceStack({ createCloudWatchRole: false });
  template.resourceCountIs('AWS::ApiGateway::Account', 0);
  expect(service.api.api.node.tryFindChild('CloudWatchRole')).toBeUndefined();
});

test('the REST API name (the ApiName dimension) and usage plan names are unique per service', () => {
  const { service, template } = serviceStack();
  expect(service.api.apiName).not.toBe('Api');
  expect(service.api.apiName).toMatch(/^TestStack-Svc-Api-[A-Za-z0-9]+$/);
  template.hasResourceProperties('AWS::ApiGateway::RestApi', { Name: service.api.apiName });
  template.hasResourceProperties('AWS::ApiGateway::UsagePlan', { UsagePlanName: `${service.api.apiName}-basic` });
  const alarms = JSON.stringify(Template.fromStack(service.node.scope as never).findResources('AWS::CloudWatch::Alarm'));
  expect(alarms).toContain(`"Value":"${service.api.apiName}"`);
});
