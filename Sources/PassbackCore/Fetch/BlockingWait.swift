import Foundation

/// Runs async work from synchronous code and waits for it: the command line's commands and the
/// watch loop are synchronous, the fetch stage is async.
///
/// Call it only from a thread outside Swift's cooperative pool (the main thread, the watch
/// loop): the work runs on the pool while this thread sleeps on a semaphore, which would starve
/// the pool if this thread were one of its own.
package func blockingWait<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) throws -> T {
    let slot = ResultSlot<T>()
    let done = DispatchSemaphore(value: 0)
    Task.detached {
        let result: Result<T, any Error>
        do {
            result = .success(try await operation())
        } catch {
            result = .failure(error)
        }
        slot.set(result)
        done.signal()
    }
    done.wait()
    return try slot.get()!.get()
}

/// A result handed from a task to the thread waiting for it.
private final class ResultSlot<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Result<T, any Error>?

    func set(_ value: Result<T, any Error>) { lock.withLock { result = value } }
    func get() -> Result<T, any Error>? { lock.withLock { result } }
}
