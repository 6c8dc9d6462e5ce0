// Attributing one record's facts to an execution unit instead of its whole activation (
// dependency explosion): a view of the fragment builder that, for the edges one record adds,
// replaces the activation endpoint by the unit node. Everything else goes to the builder unchanged.
import type { EdgeInput, FragmentBuilder } from '../assemble/fragment-builder';

export function unitScopedBuilder(builder: FragmentBuilder, activationNodeId: string, unitId: string): FragmentBuilder {
  const swap = (e: EdgeInput): EdgeInput => ({
    ...e,
    from: e.from === activationNodeId ? unitId : e.from,
    to: e.to === activationNodeId ? unitId : e.to,
  });
  // Object.create: every method not overridden here is the builder's own, on the builder's own state
  const view = Object.create(builder) as FragmentBuilder;
  view.addEdge = (request, input) => builder.addEdge(request, swap(input));
  view.addOperation = (request, input) => builder.addOperation(request, swap(input));
  return view;
}
