export * from './drill';
export { renderDrillTable, renderDrillSvg, renderDrillHtml } from './private/render';
