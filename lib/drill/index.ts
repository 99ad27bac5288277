export * from './drill';
export { renderDrillTable, renderDrillSvg, renderDrillHtml } from './private/render';
export { SCENARIOS, SCENARIO_TEXT } from './private/scenarios';
