/**
 * The simulated network between brokers and clients. Every message is a Call (sim/call.ts)
 * delivered later by the scheduler (a request and its answer travel as one Exchange, below),
 * after `latencyMs` plus up to `jitterMs` (from the seeded PRNG) plus any slowness of either
 * end. Like a TCP connection, a link keeps order: a message never overtakes an earlier one on
 * the same (from, to) link.
 *
 * A message is lost, silently, when at send time or at delivery time
 * - either end is isolated (its network is cut to and from everyone), or
 * - the receiver is not running (a killed broker, a crashed client).
 * Senders learn of loss only by their own timeouts, as in Kafka.
 *
 * Except a request or its answer lost to a cut alone (both ends running): TCP keeps the
 * connection through a cut and retransmits what it had not got acknowledged, at its
 * retransmission timeout, 200 ms after the loss and then doubling (Linux's TCP_RTO_MIN, up
 * to TCP_RTO_MAX). So the leg is held (Network.held) and, once the cut heals, sent again at
 * the first retransmission from then on, in order on its link; an answer goes on to a
 * sender that still waits for it (one that timed out ignores it, as Kafka's clients ignore an
 * answer to a request they gave up on). Without this, a cut of a second made a follower wait
 * out replica.socket.timeout.ms (30 s) for the fetch it lost, and every acks=all producer
 * with it. A client closes the connection when its request times out (request.timeout.ms,
 * replica.socket.timeout.ms: 30 s by default), and its unsent bytes with it: a leg whose next
 * retransmission would come more than RETRANSMIT_HORIZON_MS after its loss is dropped at the
 * heal, as is one whose end died meanwhile.
 * One-way messages (metadata pushes, KRaft's, acks=0 produce) are not held.
 *
 * Bandwidth: every node has one link of `bandwidthMBps` (10^6 bytes a second) in each
 * direction. A message of N bytes occupies the sender's uplink and then the receiver's
 * downlink for N / bandwidth, queued behind what those links already carry, so a follower
 * fetching megabytes after a restart takes visible time, proportional to the bytes, and
 * shares its leader's uplink with the other followers and consumers. Bytes are those of the
 * record batches a message carries (produce requests, fetch responses; see wireBytes);
 * control messages (heartbeats, metadata, group requests) count as zero and never queue.
 * Occupancy is kept exactly; a delivery is delayed by its whole milliseconds (virtual time
 * stays in whole ms), so the k-th of a stream of small messages is late by floor(k·N/bw).
 */
import { call, invoke, type Call } from './call';
import type { Prng } from './prng';
import { MIN_TURN_MS, Scheduled, type Scheduler, type Task } from './scheduler';

/** "broker:1", "client:checkout": one address per process. */
export type NodeId = string;

/** Broker node ids by broker id, each string made once (every fetch and produce names its broker). */
const brokerNodes: NodeId[] = [];
export const brokerNode = (id: number): NodeId => brokerNodes[id] ?? (brokerNodes[id] = `broker:${id}`);
export const clientNode = (id: string): NodeId => `client:${id}`;
/** A controller-only process (process.roles=controller): a KRaft voter that is no broker. */
export const controllerNode = (id: number): NodeId => `controller:${id}`;

export interface NetworkConfig {
  latencyMs: number;
  jitterMs: number;
  /** Each node's link, each direction, in MB/s (10^6 bytes); 0 or less: unlimited. */
  bandwidthMBps?: number;
}

/** scenario `cluster.network.bandwidthMBps` when absent: about a 1 Gbit/s NIC. */
export const DEFAULT_BANDWIDTH_MBPS = 100;

/**
 * Everything the network knows of one node, in one object: a message looks up its two ends
 * once each, not a set or map per question (running, isolated, slowness, link times: about
 * nine lookups by node id per message were ~3% of the run at 6 x 50).
 */
interface NodeState {
  running: boolean;
  isolated: boolean;
  /** Added to every message to and from the node; 0: none. */
  slowMs: number;
  /** When the node's uplink (sending) and downlink (receiving) are free again, fractional ms. */
  upFreeAt: number;
  downFreeAt: number;
  /** The node's place in the order the network first heard of it: its slot in every lastDelivery. */
  readonly index: number;
  /**
   * Last scheduled delivery time of each link from this node, by the receiver's index (0: none
   * yet), to keep per-link FIFO order: an element load, where a Map by the receiver's id cost
   * a lookup and a store per message (two legs a request, tens of thousands a virtual second).
   */
  readonly lastDelivery: number[];
  /**
   * Requests delivered to this node and not yet answered (long-polled), reset when it dies:
   * a list in arrival order, linked through the requests (a parked fetch joins and leaves it
   * without hashing: a Set's add and delete were 2-3% of the run at 50 x 1,000). Null: none yet.
   */
  openRequests: OpenRequestList | null;
}

export class Network {
  /** Every node the network has heard of (up, isolated, slowed, or sent from); a node not here is down, connected, not slowed. */
  private readonly nodes = new Map<NodeId, NodeState>();
  /** How many nodes are isolated, slowed: while none, a message asks neither. */
  private isolatedCount = 0;
  private slowCount = 0;
  messagesDropped = 0;
  /** Request and answer legs lost to a cut, in the order they were lost, sent again when it heals (retransmitHeld). */
  private held: Exchange[] = [];

  constructor(
    private readonly scheduler: Scheduler,
    private readonly prng: Prng,
    public config: NetworkConfig,
  ) {}

  /** The node's state, made on first use. */
  private stateOf(node: NodeId): NodeState {
    let st = this.nodes.get(node);
    if (st === undefined) {
      st = { running: false, isolated: false, slowMs: 0, upFreeAt: 0, downFreeAt: 0, index: this.nodes.size, lastDelivery: [], openRequests: null };
      this.nodes.set(node, st);
    }
    return st;
  }

  /** A process starts listening (broker start/restart, client creation). */
  up(node: NodeId): void {
    this.stateOf(node).running = true;
  }

  /**
   * A process dies: everything in flight to it is lost on arrival, and every connection it
   * held open is reset, so requests waiting on it fail at their senders (as a SIGKILLed
   * broker's sockets do), unlike a network cut, where senders only time out.
   */
  down(node: NodeId): void {
    const st = this.nodes.get(node);
    if (st === undefined) return;
    st.running = false;
    // Its connections are gone, and what TCP held for them: a restarted process has new ones.
    if (this.held.length > 0) this.held = this.held.filter((x) => x.fromState !== st && x.toState !== st);
    const waiting = st.openRequests;
    if (waiting === null) return;
    st.openRequests = null;
    for (let w = waiting.head; w !== null; w = w.next) {
      w.list = null;
      this.resetBack(w.from, w.onReset, w.notBeforeMs);
    }
  }

  isUp(node: NodeId): boolean {
    return this.nodes.get(node)?.running ?? false;
  }

  isolate(node: NodeId): void {
    const st = this.stateOf(node);
    if (!st.isolated) this.isolatedCount++;
    st.isolated = true;
  }

  heal(node: NodeId): void {
    const st = this.nodes.get(node);
    if (st === undefined || !st.isolated) return;
    st.isolated = false;
    this.isolatedCount--;
    this.retransmitHeld();
  }

  /** How many request and answer legs wait for a cut to heal. */
  get heldCount(): number {
    return this.held.length;
  }

  /** A leg lost to the cut alone (both ends running): held for retransmission. */
  private hold(x: Exchange): void {
    const now = this.scheduler.now;
    // Through a long cut senders time out and ask again, and every try is lost: what was lost
    // past the horizon goes (the oldest are first), so the list stays bounded by the cut's last 30 s.
    if (this.held.length > 0 && now - this.held[0]!.lostAt > RETRANSMIT_HORIZON_MS) this.held = this.held.filter((h) => now - h.lostAt <= RETRANSMIT_HORIZON_MS);
    x.lostAt = now;
    this.held.push(x);
  }

  /**
   * Sends again, in the order they were lost, the held legs whose ends reach each other now:
   * each at its first retransmission from now (retransmissionAt), plus the link's latency,
   * behind what its link already carries. A leg whose end died, or whose next retransmission
   * comes more than RETRANSMIT_HORIZON_MS after its loss (the client has closed the
   * connection by then), is dropped; legs still cut off stay held.
   */
  private retransmitHeld(): void {
    if (this.held.length === 0) return;
    const now = this.scheduler.now;
    const still: Exchange[] = [];
    for (const x of this.held) {
      // The leg's sender and receiver: the answer goes from the request's receiver back.
      const f = x.answered ? x.toState : x.fromState;
      const t = x.answered ? x.fromState : x.toState;
      if (!f.running || !t.running || now - x.lostAt > RETRANSMIT_HORIZON_MS) continue;
      if (!reaches(f, t, f === t, this.isolatedCount)) {
        still.push(x);
        continue;
      }
      // The next retransmission would come after the client closed the connection (its
      // request timeout): gone with it, and the next connection does not wait behind it.
      const again = retransmissionAt(x.lostAt, now);
      if (again - x.lostAt > RETRANSMIT_HORIZON_MS) continue;
      const legFrom = x.answered ? x.to : x.from;
      const legTo = x.answered ? x.from : x.to;
      const bytes = x.answered ? wireBytes(x.value, 0) : -1;
      const notBefore = Math.max(x.answered ? x.notBeforeMs : 0, again + this.config.latencyMs);
      const at = this.deliveryTime(legFrom, legTo, f, t, bytes, x.answered ? null : x.handle, notBefore);
      if (at >= 0) this.scheduler.schedule(x, at);
    }
    this.held = still;
  }

  isIsolated(node: NodeId): boolean {
    return this.nodes.get(node)?.isolated ?? false;
  }

  /** Adds delayMs to every message to and from node (0 removes it). */
  slow(node: NodeId, delayMs: number): void {
    const ms = delayMs > 0 ? delayMs : 0;
    const st = ms > 0 ? this.stateOf(node) : this.nodes.get(node);
    if (st === undefined) return;
    if (st.slowMs > 0) this.slowCount--;
    if (ms > 0) this.slowCount++;
    st.slowMs = ms;
  }

  slowness(node: NodeId): number {
    return this.nodes.get(node)?.slowMs ?? 0;
  }

  /** Can a message from `from` reach `to` right now? */
  canReach(from: NodeId, to: NodeId): boolean {
    return reaches(this.nodes.get(from), this.nodes.get(to), from === to, this.isolatedCount);
  }

  /**
   * Sends a one-way message; `deliver` runs at the receiver if it arrives.
   * Messages from a node to itself arrive at once (same process), in order.
   * `bytes`: the payload's size on the wire (default: the batches among deliver's arguments);
   * `notBeforeMs`: it arrives no earlier (a round trip takes at least MIN_TURN_MS).
   */
  send(from: NodeId, to: NodeId, deliver: Task, onDropAtArrival?: Task, bytes?: number, notBeforeMs = 0): void {
    const f = this.nodes.get(from);
    const at = this.deliveryTime(from, to, f, from === to ? f : this.nodes.get(to), bytes ?? -1, deliver, notBeforeMs);
    if (at >= 0) this.scheduler.at(at, call(this, this.arrive, from, to, deliver, onDropAtArrival ?? null));
  }

  /**
   * When a message sent now from `from` arrives at `to` (latency, jitter, slowness,
   * bandwidth, per-link order), or -1 when it is lost at send time. `bytes` < 0: those of
   * `deliver`'s arguments. `f`, `t`: the states of `from` and `to` (looked up once by the caller).
   */
  private deliveryTime(from: NodeId, to: NodeId, f: NodeState | undefined, t: NodeState | undefined, bytes: number, deliver: Task | null, notBeforeMs: number): number {
    if (f === undefined || t === undefined || !f.running || !reaches(f, t, from === to, this.isolatedCount)) {
      this.messagesDropped++;
      return -1;
    }
    const now = this.scheduler.now;
    let at = now;
    if (from !== to) {
      const jitter = this.config.jitterMs > 0 ? this.prng.int(this.config.jitterMs + 1) : 0;
      at = now + this.config.latencyMs + jitter;
      if (this.slowCount > 0) at += f.slowMs + t.slowMs;
      const bw = this.config.bandwidthMBps ?? DEFAULT_BANDWIDTH_MBPS;
      if (bw > 0) {
        const size = bytes >= 0 ? bytes : deliver ? callBytes(deliver) : 0;
        if (size > 0) at += this.transmit(f, t, size, bw);
      }
    }
    if (at < notBeforeMs) at = notBeforeMs;
    const links = f.lastDelivery;
    const i = t.index;
    // Dense: slots up to the receiver's are filled (0: nothing sent on that link yet).
    while (links.length <= i) links.push(0);
    const last = links[i]!;
    if (at < last) at = last;
    links[i] = at;
    return at;
  }

  /**
   * Occupies the sender's uplink, then the receiver's downlink, for size / bandwidth each
   * (the downlink can start as soon as the first bytes leave). Returns the whole ms by which
   * the last byte arrives later than it would on an idle, infinitely fast link.
   */
  private transmit(from: NodeState, to: NodeState, size: number, bandwidthMBps: number): number {
    const now = this.scheduler.now;
    const tx = size / (bandwidthMBps * 1000); // bytes / (bytes per ms)
    const upStart = Math.max(now, from.upFreeAt);
    const upEnd = upStart + tx;
    from.upFreeAt = upEnd;
    const downStart = Math.max(upStart, to.downFreeAt);
    const downEnd = Math.max(upEnd, downStart + tx);
    to.downFreeAt = downEnd;
    return Math.floor(downEnd - now);
  }

  /** How long (ms, fractional) a node's uplink stays busy with what it already sends. */
  uplinkBusyMs(node: NodeId): number {
    return Math.max(0, (this.nodes.get(node)?.upFreeAt ?? 0) - this.scheduler.now);
  }

  /** @scheduled A message reaches its receiver, unless the way or the receiver is gone. */
  arrive(from: NodeId, to: NodeId, deliver: Task, onDropAtArrival: Task | null): void {
    if (!this.canReach(from, to)) {
      this.messagesDropped++;
      if (onDropAtArrival) runTask(onDropAtArrival);
      return;
    }
    runTask(deliver);
  }

  /**
   * A request and its response: `handle` runs at the receiver and returns the response,
   * which travels back and is handed to `onResponse` at the sender (as its last argument).
   * Either leg may be lost. The handler may instead return a Deferred to answer later
   * (long-poll fetch, join).
   *
   * Between two processes a round trip (answer or reset) takes at least MIN_TURN_MS, even
   * with zero latency: otherwise a client that asks again on every answer (a fetch with
   * fetch.max.wait.ms=0, a retry with retry.backoff.ms=0) would loop at one instant forever.
   *
   * `bytes`: the request's record-batch bytes when its maker knows them (a produce request
   * sums its batches as it is built, a consumer's fetch carries none), as for `send`; else
   * those of `handle`'s arguments, counted only if the bandwidth needs them.
   */
  request<R>(from: NodeId, to: NodeId, handle: Call, onResponse: Responder<R>, onReset?: Task, bytes?: number): void {
    const answerNotBefore = from === to ? 0 : this.scheduler.now + MIN_TURN_MS;
    const f = this.nodes.get(from);
    if (f === undefined || !f.running) return;
    const t = from === to ? f : this.nodes.get(to);
    if (onReset && refuses(f, t, this.isolatedCount)) return this.resetBack(from, onReset, answerNotBefore);
    // One object for the whole round trip (an Exchange), scheduled for the request's arrival
    // and again for its answer's. Unless given, the request's bytes are counted only if the
    // bandwidth needs them (deliveryTime).
    const at = this.deliveryTime(from, to, f, t, bytes ?? -1, handle, 0);
    if (at < 0) {
      // Lost to a cut alone: TCP sends it again once the cut heals.
      if (t !== undefined && t.running) this.hold(new Exchange(this.scheduler.now, this, from, to, f, t, handle, onResponse as Responder<unknown>, onReset ?? null, answerNotBefore));
      return;
    }
    const x = FREE_EXCHANGES.pop();
    if (x === undefined) this.scheduler.schedule(new Exchange(at, this, from, to, f, t!, handle, onResponse as Responder<unknown>, onReset ?? null, answerNotBefore), at);
    else {
      x.network = this;
      x.from = from;
      x.to = to;
      x.fromState = f!;
      x.toState = t!;
      x.handle = handle;
      x.onResponse = onResponse as Responder<unknown>;
      x.onReset = onReset ?? null;
      x.notBeforeMs = answerNotBefore;
      this.scheduler.schedule(x, at);
    }
  }

  /** @scheduled (by its Exchange) A request reaches its receiver (handleRequest), unless the way or the receiver is gone (requestDropped). */
  arriveRequest(x: Exchange): void {
    if (!reaches(x.fromState, x.toState, x.fromState === x.toState, this.isolatedCount)) {
      this.messagesDropped++;
      if (lostToCutAlone(x)) this.hold(x);
      else this.requestDropped(x.from, x.to, x.onReset, x.notBeforeMs);
      return;
    }
    this.handleRequest(x);
  }

  /** Sends a response: `onResponse` gets `value` as its last argument at `to`, if it arrives. */
  respond(from: NodeId, to: NodeId, onResponse: Responder<unknown>, value: unknown, notBeforeMs: number): void {
    let bytes: number;
    if (value === knownValue) {
      bytes = knownBytes;
      knownValue = null; // used once: a mark never outlives the send it was made for
    } else bytes = wireBytes(value, 0);
    const f = this.nodes.get(from);
    const at = this.deliveryTime(from, to, f, from === to ? f : this.nodes.get(to), bytes, null, notBeforeMs);
    if (at >= 0) this.scheduler.at(at, call(this, this.arriveResponse, from, to, onResponse, value));
  }

  /** @scheduled A response reaches the requester, unless the way or the requester is gone. */
  arriveResponse(from: NodeId, to: NodeId, onResponse: Responder<unknown>, value: unknown): void {
    if (!this.canReach(from, to)) {
      this.messagesDropped++;
      return;
    }
    invoke(onResponse, value);
  }

  /**
   * The answer to the Exchange's request travels back from its receiver, as `respond` sends
   * one: the Exchange itself is scheduled for the answer's arrival (answerArrives).
   */
  answer(x: Exchange, value: unknown): void {
    let bytes: number;
    if (value === knownValue) {
      bytes = knownBytes;
      knownValue = null; // used once: a mark never outlives the send it was made for
    } else bytes = wireBytes(value, 0);
    const at = this.deliveryTime(x.to, x.from, x.toState, x.fromState, bytes, null, x.notBeforeMs);
    if (at >= 0) {
      x.value = value;
      x.answered = true;
      this.scheduler.schedule(x, at);
    } else if (lostToCutAlone(x)) {
      // Lost to a cut alone: TCP sends it again once the cut heals.
      x.value = value;
      x.answered = true;
      this.hold(x);
    }
  }

  /**
   * @scheduled (by its Exchange) The answer reaches the requester, unless the way or the
   * requester is gone. The round trip is over: its Exchange is free for another one
   * (freeExchange) before the requester reads the answer, which may send the next request.
   */
  answerArrives(x: Exchange): void {
    const value = x.value;
    const onResponse = x.onResponse;
    const arrives = reaches(x.toState, x.fromState, x.fromState === x.toState, this.isolatedCount);
    if (!arrives && lostToCutAlone(x)) {
      // Lost to a cut alone: TCP sends it again once the cut heals.
      this.messagesDropped++;
      this.hold(x);
      return;
    }
    freeExchange(x);
    if (!arrives) {
      this.messagesDropped++;
      return;
    }
    invoke(onResponse, value);
  }

  /** A dead (not cut off) receiver resets the connection: the sender hears it one trip later. */
  private refused(from: NodeId, to: NodeId): boolean {
    return refuses(this.nodes.get(from), this.nodes.get(to), this.isolatedCount);
  }

  private resetBack(from: NodeId, onReset: Task | null, notBeforeMs: number): void {
    if (!onReset) return;
    this.scheduler.at(Math.max(this.scheduler.now + this.config.latencyMs, notBeforeMs), call(this, this.deliverReset, from, onReset));
  }

  /** @scheduled */
  deliverReset(from: NodeId, onReset: Task): void {
    const f = this.nodes.get(from);
    if (f !== undefined && f.running && !f.isolated) runTask(onReset);
  }

  /** @scheduled The request was lost on arrival: a dead receiver still resets the connection. */
  requestDropped(from: NodeId, to: NodeId, onReset: Task | null, notBeforeMs: number): void {
    if (onReset && this.refused(from, to)) this.resetBack(from, onReset, notBeforeMs);
  }

  /** The request arrives: the receiver answers now, or later through a Deferred (answerLater). */
  private handleRequest(x: Exchange): void {
    const r = runTask(x.handle);
    if (r instanceof Deferred) {
      if (x.onReset) {
        // Open until answered: reset with the connection if the receiver dies first.
        const st = x.toState;
        let list = st.openRequests;
        if (list === null) st.openRequests = list = { head: null, tail: null };
        x.list = list;
        x.prev = list.tail;
        if (list.tail !== null) list.tail.next = x;
        else list.head = x;
        list.tail = x;
      }
      (r as Deferred<unknown>).awaitedBy(x);
    } else {
      this.answer(x, r);
    }
  }

  /** A deferred answer is ready (Deferred.resolve): it travels back. */
  answerLater(x: Exchange, value: unknown): void {
    unlinkOpenRequest(x);
    this.answer(x, value);
  }
}

/**
 * One request and its answer (Network.request): the scheduler runs it for the request's
 * arrival at the receiver and again, once answered, for the answer's arrival at the sender;
 * while the receiver holds it unanswered (a long-polled fetch, a join) it is in that node's
 * list of open requests and its Deferred points at it. One object per round trip instead of a
 * Call and an arguments array per leg, an open-request record and a Call for the late answer.
 * Plain data and a class, so checkpoints copy it where it is (heap, open list, Deferred).
 */
export class Exchange extends Scheduled {
  /** The answer is on its way back (the next fire is its arrival). */
  answered = false;
  /** When its leg in flight was lost to a cut (Network.held); -1 while none was. */
  lostAt = -1;
  /** The answer while it travels. */
  value: unknown = undefined;
  /** The open-request list of the receiver it is in; null when in none (answered, reset when its node died, or never open). */
  list: OpenRequestList | null = null;
  prev: Exchange | null = null;
  next: Exchange | null = null;

  // Set when made, and again when a free one is taken for another round trip (Network.request).
  constructor(
    /** When the request arrives (Scheduler.schedule sets it again, with its place). */
    at: number,
    public network: Network,
    /** The sender (requester) and the receiver. */
    public from: NodeId,
    public to: NodeId,
    /**
     * Their states in the network (Network.nodes: made once per node, never replaced), so
     * neither leg looks its ends up by id again.
     */
    public fromState: NodeState,
    public toState: NodeState,
    /** Runs at the receiver: returns the answer, or a Deferred of it. */
    public handle: Task,
    /** Runs at the sender with the answer as its last argument. */
    public onResponse: Responder<unknown>,
    /** Runs at the sender when the receiver dies before answering (the connection resets). */
    public onReset: Task | null,
    /** The earliest the answer or a reset may reach the sender (MIN_TURN_MS after the request). */
    public notBeforeMs: number,
  ) {
    super(at, 0);
  }

  fire(): void {
    if (this.answered) this.network.answerArrives(this);
    else this.network.arriveRequest(this);
  }
}

/**
 * How long after its loss a held leg is still sent again: Kafka's request timeouts
 * (request.timeout.ms, replica.socket.timeout.ms), past which the client has closed the
 * connection, its unsent bytes with it.
 */
export const RETRANSMIT_HORIZON_MS = 30_000;

/** TCP's retransmission timeout: 200 ms at first (Linux's TCP_RTO_MIN), doubling, at most 120 s (TCP_RTO_MAX). */
const RTO_MIN_MS = 200;
const RTO_MAX_MS = 120_000;

/** The first retransmission of a segment lost at `lostAt` that comes at or after `now`. */
export function retransmissionAt(lostAt: number, now: number): number {
  let t = lostAt;
  let rto = RTO_MIN_MS;
  do {
    t += rto;
    rto = Math.min(rto * 2, RTO_MAX_MS);
  } while (t < now);
  return t;
}

/**
 * Exchanges whose round trip is over (Network.answerArrives), for the next requests: ~10,000
 * round trips a virtual second at 6 x 50, each an object of 16 fields made and dropped.
 * An Exchange is freed only when nothing can reach it any more: the scheduler ran its last
 * fire, it is in no open-request list (answered), and the Deferred it waited on, if any, let
 * go of it when it answered (Deferred.resolve). Freed, it holds no cluster object (a pool
 * shared by every cluster of the process keeps none alive, and nothing of one reaches
 * another's); checkpoints never see it (nothing of a cluster points at it).
 * Exchanges lost on the way (dropped, reset) are left to the GC.
 */
const FREE_EXCHANGES: Exchange[] = [];
const MAX_FREE_EXCHANGES = 256;

/** Puts a finished Exchange in the pool, holding nothing (the fields that point into a cluster cleared). */
function freeExchange(x: Exchange): void {
  x.answered = false;
  x.lostAt = -1;
  x.value = undefined;
  // Out of any open-request list already; the links a dead node's reset left are dropped.
  x.list = null;
  x.prev = null;
  x.next = null;
  if (FREE_EXCHANGES.length >= MAX_FREE_EXCHANGES) return;
  const none = null as unknown as never;
  x.network = none;
  x.fromState = none;
  x.toState = none;
  x.handle = none;
  x.onResponse = none;
  x.onReset = null;
  FREE_EXCHANGES.push(x);
}

/**
 * Can a message from a node (state `f`) reach another (`t`) right now: the receiver runs and
 * neither end is isolated (a node always reaches itself while it runs). Undefined: a node
 * the network never heard of (down, connected).
 */
function reaches(f: NodeState | undefined, t: NodeState | undefined, self: boolean, isolatedCount: number): boolean {
  if (t === undefined || !t.running) return false;
  if (self || isolatedCount === 0) return true;
  return !t.isolated && !(f?.isolated ?? false);
}

/** A leg of `x` that did not get through was lost to a cut alone: both ends still run (Network.hold). */
function lostToCutAlone(x: Exchange): boolean {
  return x.fromState.running && x.toState.running;
}

/** A dead (not cut off) receiver `t` resets a connection from `f` (Network.refused). */
function refuses(f: NodeState | undefined, t: NodeState | undefined, isolatedCount: number): boolean {
  if (t !== undefined && t.running) return false;
  if (isolatedCount === 0) return true;
  return !(f?.isolated ?? false) && !(t?.isolated ?? false);
}

/**
 * What the sender runs with the response: a Call whose method takes the response (of type R)
 * as its last argument.
 */
// eslint-disable-next-line @typescript-eslint/no-unused-vars
export type Responder<R> = Call;

interface OpenRequestList {
  head: Exchange | null;
  tail: Exchange | null;
}

/** Takes an answered request out of its node's list (a no-op when its node died since, or it never was in one). */
function unlinkOpenRequest(open: Exchange): void {
  const list = open.list;
  if (list === null) return;
  if (open.prev !== null) open.prev.next = open.next;
  else list.head = open.next;
  if (open.next !== null) open.next.prev = open.prev;
  else list.tail = open.prev;
  open.list = null;
  open.prev = null;
  open.next = null;
}

/**
 * The answer whose wireBytes its maker already counted (a fetch answer sums its batches as
 * it reads them): walking tens of partitions' answers per message again was a visible share
 * of the profile at scale. An answer is marked as it is handed to the network, which sends
 * it at once (a handler's return, a Deferred resolved with a waiting sender), so one slot
 * is enough: a WeakMap entry per answer cost ~8% of the events at 3 x 3, most of it in
 * garbage collection. Only a cache of a pure function of the answer, which is never
 * modified once made; an answer that finds the slot taken by another is walked: runs and
 * checkpoints do not depend on it. (A request's maker passes its bytes to `request` or
 * `send` instead: it calls the network itself.)
 */
let knownValue: object | null = null;
let knownBytes = 0;

/** Marks the answer `value` as carrying `bytes` record-batch bytes, exactly wireBytes(value, 0). */
export function withWireBytes<T extends object>(value: T, bytes: number): T {
  knownValue = value;
  knownBytes = bytes;
  return value;
}

/**
 * The record-batch bytes a message carries, found where Kafka's messages hold them: a
 * produce request's `batch`, a fetch response's `batches` (per partition, possibly under
 * `result` or `partitions`), in arrays of those. Everything else is control data: zero.
 */
export function wireBytes(v: unknown, depth: number): number {
  if (v === null || typeof v !== 'object' || depth > 4) return 0;
  if (v instanceof Uint8Array) return v.length;
  if (Array.isArray(v)) {
    let n = 0;
    for (const x of v) n += wireBytes(x, depth + 1);
    return n;
  }
  const o = v as { batch?: unknown; batches?: unknown; result?: unknown; partitions?: unknown };
  let n = 0;
  if (o.batch instanceof Uint8Array) n += o.batch.length;
  if (Array.isArray(o.batches)) for (const b of o.batches) if (b instanceof Uint8Array) n += b.length;
  if (o.result !== undefined) n += wireBytes(o.result, depth + 1);
  if (Array.isArray(o.partitions)) n += wireBytes(o.partitions, depth + 1);
  return n;
}

/** The bytes a Call carries in its arguments (a one-way produce, a request's handler). */
function callBytes(c: Call): number {
  let n = 0;
  for (const a of c.args) if (typeof a === 'object' && a !== null) n += wireBytes(a, 1);
  return n;
}

function runTask(t: Task): unknown {
  return invoke(t);
}

/** A response that the receiver will complete later (a delayed, long-polled answer). */
export class Deferred<R> {
  /** Who waits for the value: a Call, or the Exchange of the request it answers (Network). */
  private cb: Responder<R> | Exchange | null = null;
  /** The value when resolved before anyone waited for it. */
  private value: R | undefined = undefined;
  private done = false;

  then(cb: Responder<R>): void {
    this.wait(cb);
  }

  /** The Exchange whose request this answers waits for it (Network.handleRequest). */
  awaitedBy(x: Exchange): void {
    this.wait(x);
  }

  private wait(cb: Responder<R> | Exchange): void {
    if (this.done && this.cb === null) answer(cb, this.value as R);
    else this.cb = cb;
  }

  resolve(v: R): void {
    if (this.done) return;
    this.done = true;
    const cb = this.cb;
    if (cb === null) {
      this.value = v;
      return;
    }
    // Let go of the waiter (an Exchange is reused once its round trip is over: see freeExchange).
    this.cb = null;
    answer(cb, v);
  }

  get isDone(): boolean {
    return this.done;
  }
}

function answer<R>(cb: Responder<R> | Exchange, v: R): void {
  if (cb instanceof Exchange) cb.network.answerLater(cb, v);
  else invoke(cb, v);
}
