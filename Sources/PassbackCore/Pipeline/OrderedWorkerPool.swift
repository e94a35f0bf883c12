import Foundation

/// The run's one pool of worker threads: workers run `work` over inputs in submission order
/// while the submitting thread goes on, and the results come back in the same order.
///
/// Threads, not tasks: the work blocks in `fsync`, SQLite and libxml2, which must not hold up
/// Swift's cooperative pool. Every decision (which item next, when to wait, when to stop) is
/// ``WorkerPoolState``'s; this type only holds it behind one condition variable and sleeps and
/// wakes threads as it says.
///
/// A run uses it twice: to scan bundles (digests, course and sections) from the moment they are
/// claimed, drained once the scan phase needs them all (``drain()``); and to prepare bundles a
/// bounded window ahead of the thread that records them in order (``next(_:releaseWanted:)``,
/// ``release(through:)``), an item waiting for the earlier item it depends on.
final class OrderedWorkerPool<Input: Sendable, Output: Sendable>: @unchecked Sendable {
    // @unchecked: `state` and `inputs` are read and written only under `condition`'s lock.
    private let condition = NSCondition()
    private var state: WorkerPoolState<Output>
    private var inputs: [Input] = []
    private let group = DispatchGroup()

    /// Starts `workers` threads (at least one) that run `work` on each submitted input.
    init(workers: Int, lookahead: Int? = nil, work: @escaping @Sendable (Input) throws -> Output) {
        state = WorkerPoolState(lookahead: lookahead)
        for _ in 0..<max(1, workers) {
            group.enter()
            Thread.detachNewThread { [self] in
                defer { group.leave() }
                while let (item, input) = take() {
                    let result: Result<Output, any Error>
                    do { result = .success(try work(input)) } catch { result = .failure(error) }
                    condition.withLock {
                        state.workerFinished(item, result)
                        condition.broadcast()
                    }
                }
            }
        }
    }

    deinit {
        stop()
    }

    private func take() -> (Int, Input)? {
        condition.withLock {
            while true {
                switch state.workerTakes() {
                case .run(let item): return (item, inputs[item])
                case .exit: return nil
                case .wait(let announceStall):
                    // Wake the consumer once per stall (it then releases what it holds); waking
                    // it on every wake-up made the waiting threads wake each other in a storm.
                    if announceStall { condition.broadcast() }
                    condition.wait()
                }
            }
        }
    }

    /// Adds an input (after `dependency`, an earlier item whose release it must wait for);
    /// returns its number.
    @discardableResult
    func submit(_ input: Input, after dependency: Int? = nil) -> Int {
        condition.withLock {
            inputs.append(input)
            let item = state.submit(dependingOn: dependency)
            condition.broadcast()
            return item
        }
    }

    /// What the consumer gets for `item`.
    enum Next {
        case ready(Result<Output, any Error>)
        /// `releaseWanted` said the consumer should release what it holds first.
        case release
    }

    /// Waits for the result of `item`, unless `releaseWanted` (told whether the workers are
    /// stalled until something is released) says the consumer should release first.
    func next(_ item: Int, releaseWanted: (_ stalled: Bool) -> Bool) -> Next {
        condition.withLock {
            while true {
                switch state.consumerWants(item) {
                case .ready(let result): return .ready(result)
                case .pending(let stalled):
                    if releaseWanted(stalled) { return .release }
                    condition.wait()
                }
            }
        }
    }

    /// The consumer is done with every item up to `item`.
    func release(through item: Int) {
        condition.withLock {
            state.release(through: item)
            condition.broadcast()
        }
    }

    /// Items handed to workers after `item`.
    func taken(after item: Int) -> [Int] {
        condition.withLock { state.taken(after: item) }
    }

    /// Closes the pool, waits for every item, and returns the results in submission order.
    func drain() -> [Result<Output, any Error>] {
        condition.withLock {
            state.close()
            condition.broadcast()
            while !state.isDrained, !state.stopped { condition.wait() }
        }
        group.wait()
        return condition.withLock {
            state.takeAll().map { $0 ?? .failure(PoolStopped()) }
        }
    }

    /// Lets every worker go home (after a failure, or at the end) and waits for them.
    func stop() {
        condition.withLock {
            state.stop()
            condition.broadcast()
        }
        group.wait()
    }

    /// The pool stopped before the item ran.
    struct PoolStopped: Error {}
}
