import Foundation
import Synchronization
import Testing

@testable import PassbackCore

/// The worker pool's decisions, driven event by event without threads: what a worker takes,
/// when it waits, when the consumer is told to release, when everyone goes home.
@Suite struct WorkerPoolStateTests {
    typealias State = WorkerPoolState<String>

    func finish(_ state: inout State, _ item: Int) {
        state.workerFinished(item, .success("item \(item)"))
    }

    func value(_ next: State.Next) -> String? {
        if case .ready(let result) = next { return try? result.get() }
        return nil
    }

    @Test func itemsAreTakenInSubmissionOrderAndResultsHandedOverOnce() {
        var state = State()
        #expect(state.workerTakes() == .wait(announceStall: false), "nothing submitted yet")
        for _ in 0..<3 { _ = state.submit() }
        #expect(state.workerTakes() == .run(0))
        #expect(state.workerTakes() == .run(1))
        finish(&state, 1)
        guard case .pending(stalled: false) = state.consumerWants(0) else {
            Issue.record("item 0 is not done")
            return
        }
        finish(&state, 0)
        #expect(value(state.consumerWants(0)) == "item 0")
        #expect(value(state.consumerWants(1)) == "item 1")
        guard case .pending = state.consumerWants(1) else {
            Issue.record("a result is handed over once")
            return
        }
        #expect(state.workerTakes() == .run(2))
        #expect(state.workerTakes() == .wait(announceStall: false), "open: more may come")
        state.close()
        #expect(state.workerTakes() == .exit)
    }

    @Test func workersStayWithinTheLookaheadOfWhatIsReleased() {
        var state = State(lookahead: 2)
        for _ in 0..<5 { _ = state.submit() }
        state.close()
        #expect(state.workerTakes() == .run(0))
        #expect(state.workerTakes() == .run(1))
        // Item 2 would be 3 past the release point (-1): the workers are stalled, said once.
        #expect(state.workerTakes() == .wait(announceStall: true))
        #expect(state.workerTakes() == .wait(announceStall: false))
        finish(&state, 0)
        finish(&state, 1)
        guard case .ready = state.consumerWants(0), case .pending(stalled: true) = state.consumerWants(2) else {
            Issue.record("the consumer must learn the workers are stalled")
            return
        }
        state.release(through: 0)
        #expect(state.workerTakes() == .run(2))
        #expect(state.workerTakes() == .wait(announceStall: true), "a new stall is announced again")
        state.release(through: 2)
        #expect(state.workerTakes() == .run(3))
        #expect(state.workerTakes() == .run(4))
        #expect(state.workerTakes() == .exit)
    }

    /// An item that depends on an earlier one waits for its release; later items go on, and the
    /// first worker to ask after the release takes it.
    @Test func anItemWaitsForTheReleaseOfItsDependencyWhileLaterItemsGoOn() {
        var state = State()
        _ = state.submit()
        _ = state.submit(dependingOn: 0)
        _ = state.submit()
        state.close()
        #expect(state.workerTakes() == .run(0))
        #expect(state.workerTakes() == .run(2), "item 1 is set aside until item 0 is released")
        #expect(state.isStalled)
        #expect(state.workerTakes() == .wait(announceStall: true))
        finish(&state, 0)
        #expect(state.workerTakes() == .wait(announceStall: false), "finished is not released")
        guard case .ready = state.consumerWants(0), case .pending(stalled: true) = state.consumerWants(1) else {
            Issue.record("the consumer must be told to release item 0")
            return
        }
        state.release(through: 0)
        #expect(state.workerTakes() == .run(1))
        #expect(state.workerTakes() == .exit)
        #expect(!state.isStalled)
    }

    @Test func stoppingSendsEveryWorkerHomeAndDropsLateResults() {
        var state = State()
        _ = state.submit()
        _ = state.submit()
        #expect(state.workerTakes() == .run(0))
        state.stop()
        #expect(state.workerTakes() == .exit)
        finish(&state, 0)
        guard case .pending = state.consumerWants(0) else {
            Issue.record("a result after stop is dropped")
            return
        }
    }

    @Test func drainingWaitsForEveryItemAndGivesThemInOrder() {
        var state = State()
        for _ in 0..<3 { _ = state.submit() }
        #expect(!state.isDrained, "still open")
        state.close()
        for item in 0..<3 { #expect(state.workerTakes() == .run(item)) }
        finish(&state, 2)
        finish(&state, 0)
        #expect(!state.isDrained, "item 1 is still running")
        state.workerFinished(1, .failure(CancellationError()))
        #expect(state.isDrained)
        let all = state.takeAll()
        #expect(all.count == 3)
        #expect((try? all[0]?.get()) == "item 0")
        #expect((try? all[1]?.get()) == nil)
        #expect((try? all[2]?.get()) == "item 2")
    }

    @Test func takenAfterListsWhatWorkersHaveBeyondAnItem() {
        var state = State()
        for _ in 0..<4 { _ = state.submit() }
        _ = state.workerTakes()
        _ = state.workerTakes()
        _ = state.workerTakes()
        #expect(state.taken(after: 0) == [1, 2])
        #expect(state.taken(after: 2) == [])
    }
}

/// The pool with real threads: results in order whatever order the workers finish in, the
/// lookahead respected, dependencies waited for.
@Suite struct OrderedWorkerPoolTests {
    @Test func resultsComeBackInSubmissionOrder() {
        let pool = OrderedWorkerPool<Int, Int>(workers: 4) { input in
            usleep(UInt32((7 - input % 7) * 200))
            return input * input
        }
        for input in 0..<50 { pool.submit(input) }
        let results = pool.drain().map { try? $0.get() }
        #expect(results == (0..<50).map { $0 * $0 })
    }

    @Test func theConsumerGetsItemsInOrderWithinTheLookahead() {
        let running = Mutex(0)
        let highest = Mutex(-1)
        let released = Mutex(-1)
        let lookahead = 3
        let pool = OrderedWorkerPool<Int, Int>(workers: 3, lookahead: lookahead) { input in
            highest.withLock { $0 = max($0, input) }
            #expect(input - released.withLock { $0 } <= lookahead)
            running.withLock { $0 += 1 }
            defer { running.withLock { $0 -= 1 } }
            return input
        }
        defer { pool.stop() }
        for input in 0..<20 { pool.submit(input) }
        for item in 0..<20 {
            guard case .ready(let result) = pool.next(item, releaseWanted: { _ in false }) else {
                Issue.record("no release was wanted")
                return
            }
            #expect((try? result.get()) == item)
            released.withLock { $0 = item }
            pool.release(through: item)
        }
    }

    @Test func anItemDependingOnAnotherRunsAfterItsRelease() {
        let releasedZero = Mutex(false)
        let pool = OrderedWorkerPool<Int, Bool>(workers: 2) { input in
            input == 1 ? releasedZero.withLock { $0 } : true
        }
        defer { pool.stop() }
        pool.submit(0)
        pool.submit(1, after: 0)
        guard case .ready = pool.next(0, releaseWanted: { _ in false }) else {
            Issue.record("item 0")
            return
        }
        // Item 1 cannot come until item 0 is released: the pool says so instead of waiting.
        guard case .release = pool.next(1, releaseWanted: { stalled in stalled }) else {
            Issue.record("a release is wanted")
            return
        }
        releasedZero.withLock { $0 = true }
        pool.release(through: 0)
        guard case .ready(let result) = pool.next(1, releaseWanted: { _ in false }) else {
            Issue.record("item 1")
            return
        }
        #expect((try? result.get()) == true, "item 1 ran after item 0 was released")
    }
}
