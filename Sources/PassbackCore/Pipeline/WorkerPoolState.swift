/// The decisions of an ``OrderedWorkerPool``, as a plain value: which item a worker takes next,
/// when it must wait, what the consumer gets, and when everyone may go home. It does no locking,
/// no waiting and no threading; the pool holds it behind one lock and acts on what it returns,
/// so every rule of the pool is tested here, deterministically (the pattern of
/// async-http-client's connection pool state machine).
///
/// Items are numbered in submission order. A worker takes the lowest item not yet taken, unless
/// (a) it is more than `lookahead` items past what the consumer has released (memory stays flat:
/// at most that many results wait), or (b) it depends on an earlier item that is not released
/// yet: such an item is set aside, later items go on, and the first worker to ask after its
/// dependency is released takes it.
struct WorkerPoolState<Output> {
    /// What a worker does next.
    enum WorkerAction: Equatable {
        /// Work on this item.
        case run(Int)
        /// Nothing may be taken now; `stalled` when this is new news for the consumer (every
        /// worker is held back until it releases something), so it should be woken once.
        case wait(announceStall: Bool)
        /// No work will ever come: the pool is stopped, or closed and every item taken.
        case exit
    }

    /// What the consumer, waiting for the result of an item, learns.
    enum Next {
        case ready(Result<Output, any Error>)
        /// Not there yet; `stalled` when no worker can make progress until the consumer
        /// releases what it holds (it should then release, not wait).
        case pending(stalled: Bool)
    }

    private(set) var dependencies: [Int?] = []
    private var nextItem = 0
    private(set) var releasedThrough = -1
    /// Taken, set aside until their dependency is released, lowest first.
    private var setAside: [Int] = []
    private var results: [Int: Result<Output, any Error>] = [:]
    private var running = 0
    private var closed = false
    private(set) var stopped = false
    private var stallAnnounced = false
    let lookahead: Int?

    init(lookahead: Int? = nil) {
        self.lookahead = lookahead
    }

    var submitted: Int { dependencies.count }

    /// Adds an item; returns its number.
    mutating func submit(dependingOn dependency: Int? = nil) -> Int {
        precondition(!closed, "submit after close")
        precondition(dependency.map { $0 < submitted } ?? true, "an item can only depend on an earlier one")
        dependencies.append(dependency)
        return submitted - 1
    }

    /// No more items will be submitted.
    mutating func close() { closed = true }

    /// Every worker exits at its next question; results not yet taken are dropped.
    mutating func stop() { stopped = true }

    private func isReleased(_ dependency: Int?) -> Bool {
        guard let dependency else { return true }
        return dependency <= releasedThrough
    }

    private var beyondLookahead: Bool {
        guard let lookahead else { return false }
        return nextItem - releasedThrough > lookahead
    }

    mutating func workerTakes() -> WorkerAction {
        if stopped { return .exit }
        if let index = setAside.firstIndex(where: { isReleased(dependencies[$0]) }) {
            running += 1
            return .run(setAside.remove(at: index))
        }
        while nextItem < submitted, !beyondLookahead {
            let item = nextItem
            nextItem += 1
            if isReleased(dependencies[item]) {
                running += 1
                return .run(item)
            }
            setAside.append(item)
        }
        if closed, nextItem == submitted, setAside.isEmpty { return .exit }
        let announce = isStalled && !stallAnnounced
        if announce { stallAnnounced = true }
        return .wait(announceStall: announce)
    }

    mutating func workerFinished(_ item: Int, _ result: Result<Output, any Error>) {
        running -= 1
        if !stopped { results[item] = result }
    }

    /// Whether no worker can go on until the consumer releases something: an item waits for a
    /// dependency, or the workers are as far ahead as the lookahead allows.
    var isStalled: Bool {
        !setAside.isEmpty || (nextItem < submitted && beyondLookahead)
    }

    /// The result of `item` when it is there (it is handed over once).
    mutating func consumerWants(_ item: Int) -> Next {
        if let result = results.removeValue(forKey: item) { return .ready(result) }
        return .pending(stalled: isStalled)
    }

    /// The consumer is done with every item up to `item`: items that depend on them, and items
    /// up to `item + lookahead`, may be taken.
    mutating func release(through item: Int) {
        guard item > releasedThrough else { return }
        releasedThrough = item
        stallAnnounced = false
    }

    /// Items taken after `item` (being worked on, set aside, or finished and waiting).
    func taken(after item: Int) -> [Int] {
        item + 1 < nextItem ? Array((item + 1)..<nextItem) : []
    }

    /// Whether every submitted item has a result and the pool is closed (for the pool's `drain()`).
    var isDrained: Bool { closed && nextItem == submitted && setAside.isEmpty && running == 0 }

    /// Every result, in submission order; call once ``isDrained``.
    mutating func takeAll() -> [Result<Output, any Error>?] {
        defer { results = [:] }
        return (0..<submitted).map { results[$0] }
    }
}
