// The HTML view's stylesheet, inlined into the page (no network access needed to view it).
// Role colours match ROLE_COLOR in dot.ts; PROV classes use the W3C PROV colours.
export const HTML_STYLE = `
:root { --entity: #FFFC87; --activity: #9FB1FC; --agent: #FED37F; --planter: #d32f2f; --victim: #f57c00;
  --artifact: #8e24aa; --sink: #c2185b; --container: #5d4037; --path: #e53935; --shared: #98a2b3; --ink: #1d2330; --muted: #667085; }
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; font: 13px/1.4 "DejaVu Sans", Helvetica, Arial, sans-serif; color: var(--ink); background: #f6f7f9; }
body { display: grid; grid-template-rows: auto 1fr; grid-template-columns: 1fr 340px; grid-template-areas: "head head" "graph side"; }
header { grid-area: head; padding: 10px 16px; background: #1d2330; color: #fff; display: flex; gap: 24px; align-items: baseline; flex-wrap: wrap; }
header h1 { font-size: 16px; margin: 0; font-weight: 600; }
header .scope { color: #fff; }
header .summary { color: #c9d1e0; }
#stage { grid-area: graph; position: relative; overflow: hidden; background: #fff; border-right: 1px solid #d0d5dd; }
#graph { width: 100%; height: 100%; display: block; cursor: grab; user-select: none; }
#graph.panning { cursor: grabbing; }
#controls { position: absolute; top: 10px; left: 10px; display: flex; gap: 4px; }
#controls button { width: 30px; height: 30px; font-size: 16px; border: 1px solid #d0d5dd; background: #fff; border-radius: 4px; cursor: pointer; }
#controls button.wide { width: auto; padding: 0 8px; font-size: 12px; }
aside { grid-area: side; overflow: auto; padding: 12px 14px; background: #fbfbfc; }
aside h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); margin: 14px 0 6px; }
.legend { display: grid; grid-template-columns: 18px 1fr; gap: 4px 8px; align-items: center; }
.swatch { width: 16px; height: 12px; border: 1px solid #999; border-radius: 2px; }
.swatch.ring { background: #fff; border-width: 3px; }
.incident { border: 1px solid #d0d5dd; border-left: 5px solid var(--muted); border-radius: 4px; padding: 6px 8px; margin-bottom: 6px; cursor: pointer; background: #fff; }
.incident.verdict-attack { border-left-color: var(--planter); }
.incident.verdict-suspicious { border-left-color: var(--victim); }
.incident.verdict-benign-shared-state { border-left-color: #2e7d32; }
.incident.selected { outline: 2px solid var(--ink); }
.incident .verdict { font-weight: 600; }
.incident ul { margin: 4px 0 0 16px; padding: 0; }
#details table { border-collapse: collapse; width: 100%; }
#details td { border-top: 1px solid #eaecf0; padding: 3px 4px; vertical-align: top; word-break: break-all; }
#details td:first-child { color: var(--muted); white-space: nowrap; word-break: normal; }
#details .hint { color: var(--muted); }
#details ul { margin: 0; padding-left: 16px; }
#details a { color: #1d4ed8; cursor: pointer; text-decoration: underline; }
#details .log { font-family: "DejaVu Sans Mono", monospace; font-size: 11px; white-space: pre-wrap; word-break: break-all; }
.node { cursor: pointer; }
.node .shape { stroke: #555; stroke-width: 1; }
.node.prov-entity .shape { fill: var(--entity); }
.node.prov-activity .shape { fill: var(--activity); }
.node.prov-agent .shape { fill: var(--agent); }
.node.missing .shape { stroke-dasharray: 4 3; fill-opacity: .5; }
.node text { font-size: 13px; pointer-events: none; }
.node text.sub { font-size: 10.5px; fill: #475467; }
.node.role-planter .shape { stroke: var(--planter); stroke-width: 4; }
.node.role-victim .shape { stroke: var(--victim); stroke-width: 4; }
.node.role-artifact .shape { stroke: var(--artifact); stroke-width: 4; }
.node.role-sink .shape { stroke: var(--sink); stroke-width: 4; }
.node.role-container .shape { stroke: var(--container); stroke-width: 4; }
.node.role-path .shape { stroke: var(--path); stroke-width: 2.5; }
.node.role-shared .shape { stroke: var(--shared); stroke-width: 3; fill-opacity: .45; }
.node.role-shared text { fill: var(--muted); }
.node.fold .shape { stroke-dasharray: 5 3; fill-opacity: .55; }
.node.fold text { font-style: italic; }
details.benign summary { cursor: pointer; color: var(--muted); margin: 4px 0 6px; }
.node.selected .shape { stroke: #000; stroke-width: 3; filter: drop-shadow(0 0 4px rgba(0,0,0,.45)); }
.edge path { fill: none; stroke: #98a2b3; stroke-width: 1.2; }
.edge text { font-size: 9px; fill: #475467; display: none; }
.edge.on-path path { stroke: var(--path); stroke-width: 2.5; }
.edge.on-path text, .edge.near text { display: block; }
.edge.near path { stroke: #344054; stroke-width: 2; }
svg.focus .node:not(.in-focus), svg.focus .edge:not(.in-focus) { opacity: .18; }
#error { display: none; position: absolute; top: 50px; left: 10px; right: 10px; padding: 10px; background: #fee4e2; border: 1px solid #d92d20; }
`;
