// Every `provenance` subcommand registers itself here; one file per command.
import type { Command } from 'commander';
import { register as registerRequests } from './requests';
import { register as registerTrace } from './trace';
import { register as registerStore } from './store';
import { register as registerLocal } from './local';
import { register as registerReport } from './report';
import { register as registerLineage } from './lineage';
import { register as registerAnalyze } from './analyze';
import { register as registerCollect } from './collect';
import { register as registerAgent } from './agent';

export function registerCommands(program: Command): void {
  registerRequests(program);
  registerTrace(program);
  registerStore(program);
  registerLocal(program);
  registerReport(program);
  registerLineage(program);
  registerAnalyze(program);
  registerCollect(program);
  registerAgent(program);
}
