import { drillSystem, drillSystems } from '../drill/drill';
import { T } from '../nag/rules/helpers';
import { InferenceProfile } from '../profile';
import { CfnTemplate } from '../nag/template/template-model';
import { FloodLine, TemplateReview } from '../review';
import { PriceTable } from '../review/prices';

/**
 * Adds the "flood" line to every REST API of a review: the single-key drill at its defaults (see
 * docs/drill.md), so an API that protects its backend but not its users shows. The profile is the
 * one given, else the one the library's backends record in the template.
 */
export function withFloodLines(review: TemplateReview, template: CfnTemplate, profile: InferenceProfile | undefined, prices: PriceTable): TemplateReview {
  const components = review.components.map((c) => {
    const type = template.Resources[c.id]?.Type;
    if (type === T.HTTP_API) return { ...c, flood: { text: 'not simulated: the drill models REST APIs' } };
    if (type !== T.REST_API) return c;
    return { ...c, flood: floodLine(template, c.id, profile, prices, review.path) };
  });
  return { ...review, components };
}

function floodLine(template: CfnTemplate, apiId: string, profile: InferenceProfile | undefined, prices: PriceTable, label: string): FloodLine {
  const { systems, why } = drillSystems(template, profile, false, prices, apiId);
  if (systems.length === 0) return { text: `not simulated: ${why}` };
  const r = drillSystem(systems[0], 'single-key', {}, label);
  const pct = (x: number, d = 1) => `${(x * 100).toFixed(d)} %`;
  const text = `single-key flood: legitimate ${pct(r.legit.successRate)}, attacker ${pct(r.attack.successRate, 2)}, peak ${r.peakInstances} instance${r.peakInstances === 1 ? '' : 's'}, $${r.costPerHourUsd.peak.toFixed(2)}/h${r.passed ? '' : `; ${r.cause}; fix: ${r.fix}`} (kig drill)`;
  return { text, legitSuccessRate: r.legit.successRate, attackSuccessRate: r.attack.successRate, passed: r.passed };
}
