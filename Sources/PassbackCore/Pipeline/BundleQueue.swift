import Foundation

/// Hands bundle indices to workers in input order, keeps their results until the recording
/// thread takes them, and holds a worker back while (a) it is too far ahead of what is recorded
/// (memory stays flat: at most `lookahead` prepared bundles wait) or (b) its bundle sends to an
/// Aspire section whose earlier bundle is not recorded yet.
final class BundleQueue: @unchecked Sendable {
    // @unchecked: every field is touched only under `condition`'s lock.
    private let condition = NSCondition()
    private let count: Int
    private let dependsOn: [Int]
    private let lookahead: Int
    private var nextIndex = 0
    private var recordedThrough = -1
    private var results: [Int: Result<PreparedBundle, any Error>] = [:]
    private var waitingOnDependency = 0
    private var stopped = false
    private var marked: Set<Int> = []

    init(count: Int, dependsOn: [Int], lookahead: Int) {
        self.count = count
        self.dependsOn = dependsOn
        self.lookahead = lookahead
    }

    /// The next index to prepare, once it may be prepared; `nil` when there is none.
    func take() -> Int? {
        condition.lock()
        defer { condition.unlock() }
        var announced = false
        while !stopped, nextIndex < count, nextIndex - recordedThrough > lookahead {
            // Tell the recording thread once that the workers are stalled (it then records what
            // it has); broadcasting on every wake-up made the waiting threads wake each other
            // in a storm (270,000 futex calls in a 2,000-course run).
            if !announced {
                condition.broadcast()
                announced = true
            }
            condition.wait()
        }
        guard !stopped, nextIndex < count else { return nil }
        let index = nextIndex
        nextIndex += 1
        let dependency = dependsOn[index]
        if dependency > recordedThrough {
            waitingOnDependency += 1
            condition.broadcast()
            while !stopped, dependency > recordedThrough { condition.wait() }
            waitingOnDependency -= 1
        }
        return stopped ? nil : index
    }

    func deliver(_ index: Int, _ result: Result<PreparedBundle, any Error>) {
        condition.lock()
        results[index] = result
        condition.broadcast()
        condition.unlock()
    }

    enum Next {
        case ready(Result<PreparedBundle, any Error>)
        case flush
    }

    /// Waits for the result of `index`, unless `flushWanted` (given whether the workers are
    /// stalled until something is recorded: one waits on a section's history, or they are as
    /// far ahead as the lookahead allows) says the pending batch should be recorded first.
    func next(_ index: Int, flushWanted: (Bool) -> Bool) -> Next {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let result = results.removeValue(forKey: index) { return .ready(result) }
            let stalled = waitingOnDependency > 0 || (nextIndex < count && nextIndex - recordedThrough > lookahead)
            if flushWanted(stalled) { return .flush }
            condition.wait()
        }
    }

    /// Indices handed to workers after `index` (being prepared, or prepared and waiting).
    func dispatched(after index: Int) -> [Int] {
        condition.lock()
        defer { condition.unlock() }
        return index + 1 < nextIndex ? Array((index + 1)..<nextIndex) : []
    }

    /// True the first time it is asked for `index`: its requests are to be marked in progress.
    func markInProgress(_ index: Int) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        return marked.insert(index).inserted
    }

    func recorded(through index: Int) {
        condition.lock()
        recordedThrough = max(recordedThrough, index)
        marked = marked.filter { $0 > recordedThrough }
        condition.broadcast()
        condition.unlock()
    }

    /// Lets every worker go home (after a failure, or at the end).
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }
}
