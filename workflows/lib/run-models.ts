import {
  ApplicationFailure,
  isCancellation,
  log,
  patched,
  proxyActivities,
  sleep,
  type ActivityInterfaceFor,
} from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import type { ModelFallback, ModelRetry } from '../../common/run-contract.js';
import type { ChatMessage, ToolSpec } from '../../common/chat.js';
import { ErrorType } from '../../common/errors.js';
import { routeCall, type RouteDecision, type RoutePlan } from '../../common/route-request.js';
import type { SharedBudget } from '../../common/shared-budget.js';
import { ProviderSchema } from '../../common/model-ref.js';
import { policyRefusal, type TenantPolicy } from '../../common/policies.js';
import type { ResolvedModels } from '../../common/task-queues.js';
import { localActivityOptions, modelActivityOptions } from './activity-options.js';
import { describeFailure, isScheduleToCloseTimeout, waitAskedFor } from './failures.js';
import { isFallbackFailure, ModelChain } from './model-chain.js';
import { BudgetReservations, type Granted, type Reservation } from './budget-reservations.js';

const { planRoutes, resolveModelChain, routeModel } = proxyActivities<Activities>(localActivityOptions);

/** The model name that asks the router to choose (the catalog's `routing` section). */
export const autoModel = 'auto';

/** The activities of one model, on its provider's task queue. */
export type ModelActivities = ActivityInterfaceFor<Activities>;

export interface ModelCallOptions<Prepared, Result> {
  /** Where in the run the call is (iteration, model-call number): recorded with a fallback. */
  iteration: number;
  /**
   * Runs before every attempt (the first, after waiting on a busy budget, on the next model):
   * throws to stop (a cap reached), or returns what the attempt needs, e.g. its output allowance.
   */
  prepare: () => Prepared;
  /** What the shared budget reserves for the attempt; asked only when the run has one. */
  reservation: (prepared: Prepared) => Reservation | Promise<Reservation>;
  /**
   * In a run routed call by call: this call's signals (its input tokens, whether it asks the model
   * to choose tools). The run's first call goes where the run's start routed it.
   */
  routeSignals?: () => { inputTokens: number; needsTools: boolean };
  /**
   * Makes the call on `model`, through that model's activities; `route` is the call's own route,
   * when it has one; `fallbackFrom`, the model the run left for this one (for the call's trace span).
   */
  invoke: (
    model: { name: string; activities: ModelActivities; route?: RouteDecision; fallbackFrom?: string },
    prepared: Prepared,
  ) => Promise<Result>;
  /** What the call cost (null: no known price, and the reservation is kept as the cost). */
  costOf: (result: Result) => number | null;
  /**
   * The time the call has left (the run's deadline): a call on a model that is rate-limited or
   * has its breaker open, with no model left to move to, waits for it while this allows.
   */
  timeLeftMs: () => number;
}

export interface RunModelsOptions {
  /** `provider:model`, a catalog alias, or `auto`. */
  model: string;
  /** A chain a parent run resolved already: used as it is, nothing is routed or resolved again. */
  chain?: readonly string[] | undefined;
  /** With `chain`: the parent's providers on their own queue (all of them when it does not say). */
  providerQueues?: readonly string[] | undefined;
  /** With `chain`: the policy the parent resolved for its tenant; every call is checked against it. */
  policy?: TenantPolicy | undefined;
  /**
   * In a run that continued as new: its moves down the chain so far, its route, and the plan that
   * routes each of its calls when it is routed call by call (then `chain` is not used).
   */
  earlier?:
    | {
        fallbacks: readonly ModelFallback[];
        route?: RouteDecision | undefined;
        routes?: RoutePlan | undefined;
      }
    | undefined;
  /**
   * With `auto`: route each call on its own signals (`ModelCallOptions.routeSignals`) rather than
   * the whole run once. Runs recorded before keep one route.
   */
  routeEachCall?: boolean;
  retry: ModelRetry;
  budget?: SharedBudget | undefined;
  /** Whose policy (`config/policies.yaml`) the run's calls are checked against. */
  tenant?: string | undefined;
  /**
   * With `auto`: the conversation the router judges and how many tools the run offers; to route
   * each call, also the tools' definitions (a call's token count includes them, the rules do not).
   */
  routeOn?: () => { messages: ChatMessage[]; toolCount: number; tools?: ToolSpec[] };
}

/**
 * The models a run calls, and how it calls one: every workflow that talks to a model goes
 * through this, so aliases, `auto`, fallback chains and shared budgets behave the same in all of
 * them. It resolves the run's chain once (an activity, so the chain is in history), keeps the
 * current model and the moves down the chain, and makes each call: reserve its worst case
 * against the shared budget (waiting while calls in flight hold it, switching to the budget's
 * cheaper model past its soft limit, refusing with `BudgetExceeded`), call the current model on
 * its provider's queue, settle what the call really cost, and on a failure another model may
 * not have, try again on the next model; with none left, wait out a rate limit or an open breaker
 * while the deadline allows. Deterministic; safe for calls made in parallel.
 */
export class RunModels {
  private readonly proxies = new Map<string, ModelActivities>();
  /** The run's reservations against its shared budget, when it has one. */
  private readonly reservations: BudgetReservations | undefined;
  /**
   * The tenant's policy, when it limits where data may go (`resolveModelChain` or `planRoutes`
   * gave it, or the parent run): every call is checked, and a child run gets it with its chain.
   */
  policy: TenantPolicy | undefined;

  private constructor(
    /** The chain calls go to: the one of the last call's route, in a run routed call by call. */
    private chain: ModelChain,
    /** The providers whose calls go through their own task queue (see `modelTaskQueue`). */
    readonly providerQueues: readonly string[],
    /** With `auto`: the route the router chose, and why. */
    readonly route: RouteDecision | undefined,
    private readonly options: RunModelsOptions,
    /** In a run routed call by call: the plan, and each route's chain. */
    private readonly routes?: { plan: RoutePlan; chains: Record<'simple' | 'complex', ModelChain> },
  ) {
    this.reservations = options.budget ? new BudgetReservations(options.budget) : undefined;
  }

  /** A run routed call by call; its first call went (or goes) where `first` says. */
  private static routed(
    plan: RoutePlan,
    first: RouteDecision,
    earlier: readonly ModelFallback[],
    options: RunModelsOptions,
  ): RunModels {
    const chains = {
      simple: new ModelChain(plan.chains.simple, earlier),
      complex: new ModelChain(plan.chains.complex),
    };
    const runModels = new RunModels(chains[first.complexity], plan.providerQueues, first, options, {
      plan,
      chains,
    });
    runModels.policy = plan.policy;
    return runModels;
  }

  /**
   * Routes (`auto`) and resolves the run's chain. Runs recorded before fallback chains existed
   * resolved nothing (`patched('model-chain')` is false when they replay): they keep their model.
   */
  static async start(options: RunModelsOptions): Promise<RunModels> {
    const { earlier } = options;
    if (earlier?.routes && earlier.route)
      return RunModels.routed(earlier.routes, earlier.route, earlier.fallbacks, options);
    if (options.chain) {
      const runModels = new RunModels(
        new ModelChain(options.chain, earlier?.fallbacks),
        options.providerQueues ?? ProviderSchema.options,
        earlier?.route,
        options,
      );
      runModels.policy = options.policy;
      return runModels;
    }
    let route: RouteDecision | undefined;
    if (options.model === autoModel) {
      if (!options.routeOn)
        throw ApplicationFailure.create({
          type: ErrorType.InvalidInput,
          message: 'this run cannot be routed: name a model or an alias instead of auto',
          nonRetryable: true,
        });
      if (options.routeEachCall && patched('route-each-call')) {
        const { messages, tools = [] } = options.routeOn();
        const { first, plan } = await planRoutes({
          messages,
          tools,
          ...(options.tenant ? { tenant: options.tenant } : {}),
        });
        return RunModels.routed(plan, first, [], options);
      }
      route = await routeModel(options.routeOn());
    }
    const resolved: ResolvedModels | string[] = patched('model-chain')
      ? await resolveModelChain({
          model: route?.model ?? options.model,
          ...(options.tenant ? { tenant: options.tenant } : {}),
        })
      : [options.model];
    // Runs recorded before calls without a rate limit moved to the workflow's queue resolved a
    // bare chain, and sent every call to its provider's queue: they keep doing so.
    const { models, providerQueues, policy } = Array.isArray(resolved)
      ? { models: resolved, providerQueues: ProviderSchema.options, policy: undefined }
      : resolved;
    const runModels = new RunModels(new ModelChain(models), providerQueues, route, options);
    runModels.policy = policy;
    return runModels;
  }

  /** The model calls go to now. */
  get current(): string {
    return this.chain.current;
  }

  /**
   * The current model and those after it that the run's policy allows: the chain a child run
   * continues with (it holds no policy of its own).
   *
   * @throws ApplicationFailure `PolicyViolation` (non-retryable) when the policy allows none.
   */
  get remaining(): string[] {
    const { policy } = this;
    const allowed = policy
      ? this.chain.remaining.filter((model) => policyRefusal(policy, model) === undefined)
      : this.chain.remaining;
    if (allowed.length === 0)
      throw policyViolation(`the policy allows none of the models left: ${this.chain.remaining.join(', ')}`);
    return allowed;
  }

  /** Each move down the chain (and each budget downgrade), in order. */
  get fallbacks(): ModelFallback[] {
    if (!this.routes) return this.chain.fallbacks;
    const chains = new Set(Object.values(this.routes.chains));
    return [...chains].flatMap((chain) => chain.fallbacks).sort((a, b) => a.iteration - b.iteration);
  }

  /** In a run routed call by call: how to go on routing its calls, from where both chains are. */
  get routePlan(): RoutePlan | undefined {
    if (!this.routes) return undefined;
    const { plan, chains } = this.routes;
    return { ...plan, chains: { simple: chains.simple.remaining, complex: chains.complex.remaining } };
  }

  /** The chain of one call: its own route's in a run routed call by call, and its decision. */
  private chainFor(options: Pick<ModelCallOptions<unknown, unknown>, 'iteration' | 'routeSignals'>): {
    chain: ModelChain;
    route?: RouteDecision;
  } {
    if (!this.routes) return { chain: this.chain };
    const route =
      options.iteration <= 1 || !options.routeSignals
        ? this.route!
        : routeCall(this.routes.plan, options.routeSignals());
    this.chain = this.routes.chains[route.complexity];
    return { chain: this.chain, route };
  }

  /** Past a budget's soft limit every call goes to the cheaper model, whichever route it takes. */
  private switchTo(chain: ModelChain, model: string, reason: string, iteration: number): void {
    chain.switchTo(model, reason, iteration);
    if (this.routes) this.routes.chains = { simple: chain, complex: chain };
    this.chain = chain;
  }

  /** The shared budget's refusal, once it has refused a call: later calls are refused without asking. */
  get budgetRefusal(): string | undefined {
    return this.reservations?.refusal;
  }

  /**
   * A child run given `remaining` moved down it: later calls here skip the models it left.
   * `callsBefore` is this run's model calls before the child's, which the child's count on from.
   */
  follow(fallbacks: readonly ModelFallback[] | undefined, callsBefore: number): void {
    for (const fallback of fallbacks ?? []) this.chain.follow(fallback, callsBefore + fallback.iteration);
  }

  /** One model's activities, on the queue its calls run on (`modelTaskQueue`). */
  activitiesFor(model: string): ModelActivities {
    let activities = this.proxies.get(model);
    if (!activities) {
      activities = proxyActivities<Activities>(
        modelActivityOptions(this.options.retry, model, this.providerQueues),
      );
      this.proxies.set(model, activities);
    }
    return activities;
  }

  /**
   * Makes one model call. Cancellations and failures that are not of a fallback kind (or with no
   * model left) are thrown after the reservation is released, for the caller to handle.
   *
   * @throws ApplicationFailure `BudgetExceeded` (non-retryable) when the shared budget refuses.
   */
  async call<Prepared, Result>(options: ModelCallOptions<Prepared, Result>): Promise<Result> {
    const { budget } = this.options;
    const { reservations } = this;
    // What the last attempt reserved for: asked again only when `prepare` gave something new
    // (an estimate may be an activity).
    let sized: { prepared: Prepared; amount: Reservation } | undefined;
    const { chain, route } = this.chainFor(options);
    for (;;) {
      const prepared = options.prepare();
      const model = chain.current;
      // The policy first: a refused model is skipped like one that failed, before anything is reserved.
      const refusal = this.policy && policyRefusal(this.policy, model);
      if (refusal) {
        const failure = { type: ErrorType.PolicyViolation, message: `${model}: ${refusal}` };
        if (chain.fallBack(failure, options.iteration)) continue;
        throw policyViolation(`no model left that the policy allows; ${failure.message}`);
      }
      let reservation: Granted | undefined;
      if (budget && reservations) {
        reservations.assertOpen();
        if (!sized || !Object.is(sized.prepared, prepared))
          sized = { prepared, amount: await options.reservation(prepared) };
        // `prepare` checks the caps again while the reservation waits in the ledger's queue.
        const grant = await reservations.reserve(model, sized.amount, options.prepare);
        if (grant === 'again') continue;
        const cheaper = budget.downgradeTo;
        // A cheaper model the policy refuses is no way out: the run stays on its model.
        const allowed = cheaper !== undefined && !(this.policy && policyRefusal(this.policy, cheaper));
        if (grant.downgrade && allowed && model !== cheaper) {
          await reservations.settle(grant.id, 0);
          // A call in parallel may have switched already.
          if (chain.current !== cheaper)
            this.switchTo(
              chain,
              cheaper,
              `past ${budget.softLimitShare * 100}% of budget ${budget.scope}`,
              options.iteration,
            );
          continue; // reserved again, for the cheaper model
        }
        reservation = grant;
      }

      let result: Result;
      try {
        const fallbackFrom = chain.fallbacks.filter((fallback) => fallback.to === model).at(-1)?.from;
        result = await options.invoke(
          {
            name: model,
            activities: this.activitiesFor(model),
            ...(route ? { route } : {}),
            ...(fallbackFrom ? { fallbackFrom } : {}),
          },
          prepared,
        );
      } catch (error) {
        await reservations?.settle(reservation?.id, 0);
        // Cut off at the caller's deadline: no other model would have done better.
        if (isCancellation(error) || isScheduleToCloseTimeout(error)) throw error;
        const failure = describeFailure(error);
        // A call in parallel failed on the same model and has moved the run on already.
        if (isFallbackFailure(failure) && chain.current !== model) continue;
        // The failed call did no work: the next model makes it.
        if (chain.fallBack(failure, options.iteration)) continue;
        // No model left: a provider asking to slow down, or a breaker waiting for its trial, is
        // waited for (a durable timer) while the deadline allows, instead of failing the run.
        const waitMs = waitAskedFor(error, this.options.retry.maximumIntervalMs);
        if (waitMs !== undefined && waitMs < options.timeLeftMs() && patched('model-back-pressure')) {
          log.info(`${model}: ${failure.type}, calling again in ${waitMs} ms`);
          await sleep(waitMs);
          continue;
        }
        throw error;
      }
      await reservations?.settle(reservation?.id, options.costOf(result) ?? reservation?.amountUsd ?? 0);
      return result;
    }
  }
}

/** The run's policy leaves it no model to call: the run cannot go on. */
function policyViolation(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: ErrorType.PolicyViolation, message, nonRetryable: true });
}
