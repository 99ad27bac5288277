import { parseCfnYaml, YamlSyntaxError } from '../../lib/review';

describe('CloudFormation YAML short forms', () => {
  test('every short form expands to its long form, nested forms included', () => {
    const text = [
      'A: !Ref Bucket',
      'B: !GetAtt Queue.Arn',
      'C: !GetAtt [Queue, QueueName]',
      'D: !GetAtt Db.Endpoint.Address',
      'E: !Sub "arn:${AWS::Partition}:s3:::${Bucket}"',
      'F: !Sub ["${X}-q", { X: !Ref Name }]',
      'G: !Join ["", ["a", !Ref Bucket]]',
      'H: !If [IsProd, !Ref A, !Ref AWS::NoValue]',
      'I: !Equals [!Ref Env, prod]',
      'J: !Select [0, !GetAZs ""]',
      'K: !Split [",", !ImportValue Shared-Subnets]',
      'L: !FindInMap [Map, !Ref AWS::Region, Ami]',
      'M: !Base64 "#!/bin/bash"',
      'N: !Cidr [!GetAtt Vpc.CidrBlock, 6, 5]',
      'O: !Not [!Condition IsProd]',
      'P: !And [!Condition A, !Or [!Condition B, !Condition C]]',
    ].join('\n');
    expect(parseCfnYaml(text)).toEqual({
      A: { Ref: 'Bucket' },
      B: { 'Fn::GetAtt': ['Queue', 'Arn'] },
      C: { 'Fn::GetAtt': ['Queue', 'QueueName'] },
      D: { 'Fn::GetAtt': ['Db', 'Endpoint.Address'] },
      E: { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${Bucket}' },
      F: { 'Fn::Sub': ['${X}-q', { X: { Ref: 'Name' } }] },
      G: { 'Fn::Join': ['', ['a', { Ref: 'Bucket' }]] },
      H: { 'Fn::If': ['IsProd', { Ref: 'A' }, { Ref: 'AWS::NoValue' }] },
      I: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] },
      J: { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] },
      K: { 'Fn::Split': [',', { 'Fn::ImportValue': 'Shared-Subnets' }] },
      L: { 'Fn::FindInMap': ['Map', { Ref: 'AWS::Region' }, 'Ami'] },
      M: { 'Fn::Base64': '#!/bin/bash' },
      N: { 'Fn::Cidr': [{ 'Fn::GetAtt': ['Vpc', 'CidrBlock'] }, 6, 5] },
      O: { 'Fn::Not': [{ Condition: 'IsProd' }] },
      P: { 'Fn::And': [{ Condition: 'A' }, { 'Fn::Or': [{ Condition: 'B' }, { Condition: 'C' }] }] },
    });
  });

  test('dates stay strings (the template format version)', () => {
    expect(parseCfnYaml('AWSTemplateFormatVersion: 2010-09-09')).toEqual({ AWSTemplateFormatVersion: '2010-09-09' });
  });

  test('syntax errors carry line and column', () => {
    expect(() => parseCfnYaml('a: [1,\n b: c')).toThrow(YamlSyntaxError);
    let error: unknown;
    try {
      parseCfnYaml('a: 1\nb: [x\n');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(YamlSyntaxError);
    expect(error).toMatchObject({ line: expect.any(Number), column: expect.any(Number) });
  });
});
