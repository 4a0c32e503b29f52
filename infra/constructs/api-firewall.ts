import { CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import type { Stage } from 'aws-cdk-lib/aws-apigateway';
import { Construct } from 'constructs';
import type { ValidatedStage } from '../stages/validate-stage-config.ts';

export interface ApiFirewallProps {
  readonly stage: ValidatedStage;
  /** The API Gateway stage the web ACL protects. */
  readonly apiStage: Stage;
}

/** API.md: bodies are at most 64 KiB. */
const maxBodyBytes = 64 * 1024;

const problemBody = (status: number, title: string, code: string, detail: string): string =>
  JSON.stringify({ type: 'about:blank', title, status, detail, code });

/**
 * AWS WAF in front of the API: a per-source-IP rate limit, a 64 KiB body limit, and the AWS
 * managed common and known-bad-inputs rule groups.
 */
export class ApiFirewall extends Construct {
  readonly webAcl: CfnWebACL;
  readonly webAclName: string;

  constructor(scope: Construct, id: string, props: ApiFirewallProps) {
    super(scope, id);
    const { stage } = props;
    const visibility = (name: string): CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      metricName: `latchkey-${stage.name}-${name}`,
      sampledRequestsEnabled: true,
    });

    this.webAclName = `latchkey-${stage.name}-api`;
    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      name: this.webAclName,
      description: `Latchkey API, stage ${stage.name}: per-IP rate limit, body size limit, AWS managed rules`,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('api'),
      // WAF inspects 16 KB of an API Gateway body by default; WebAuthn attestations with
      // certificate chains can be larger, so inspect up to the API's own 64 KiB limit.
      associationConfig: { requestBody: { API_GATEWAY: { defaultSizeInspectionLimit: 'KB_64' } } },
      customResponseBodies: {
        rateLimited: {
          contentType: 'APPLICATION_JSON',
          content: problemBody(429, 'Too Many Requests', 'rate_limited', 'Too many requests from this address; retry later.'),
        },
        bodyTooLarge: {
          contentType: 'APPLICATION_JSON',
          content: problemBody(413, 'Payload Too Large', 'invalid_request', 'The request body is larger than 64 KiB.'),
        },
      },
      rules: [
        {
          name: 'RateLimitPerSourceIp',
          priority: 0,
          statement: {
            rateBasedStatement: {
              limit: stage.firewall.requestsPerFiveMinutesPerIp,
              aggregateKeyType: 'IP',
              evaluationWindowSec: 300,
            },
          },
          action: { block: { customResponse: { responseCode: 429, customResponseBodyKey: 'rateLimited' } } },
          visibilityConfig: visibility('rate-limit-per-ip'),
        },
        {
          // A body past the inspection limit is "oversize"; MATCH treats it as too large.
          name: 'BodyLargerThan64KiB',
          priority: 1,
          statement: {
            sizeConstraintStatement: {
              fieldToMatch: { body: { oversizeHandling: 'MATCH' } },
              comparisonOperator: 'GT',
              size: maxBodyBytes,
              textTransformations: [{ priority: 0, type: 'NONE' }],
            },
          },
          action: { block: { customResponse: { responseCode: 413, customResponseBodyKey: 'bodyTooLarge' } } },
          visibilityConfig: visibility('body-size'),
        },
        {
          name: 'AwsManagedCommonRules',
          priority: 2,
          overrideAction: { none: {} },
          statement: {
            managedRuleGroupStatement: {
              vendorName: 'AWS',
              name: 'AWSManagedRulesCommonRuleSet',
              // Its 8 KB body limit would block legitimate registrations; the rule above enforces 64 KiB.
              ruleActionOverrides: [{ name: 'SizeRestrictions_BODY', actionToUse: { count: {} } }],
            },
          },
          visibilityConfig: visibility('aws-common'),
        },
        {
          name: 'AwsManagedKnownBadInputs',
          priority: 3,
          overrideAction: { none: {} },
          statement: { managedRuleGroupStatement: { vendorName: 'AWS', name: 'AWSManagedRulesKnownBadInputsRuleSet' } },
          visibilityConfig: visibility('aws-known-bad-inputs'),
        },
      ],
    });

    new CfnWebACLAssociation(this, 'ApiStageAssociation', {
      resourceArn: props.apiStage.stageArn,
      webAclArn: this.webAcl.attrArn,
    });
  }
}
