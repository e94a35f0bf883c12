#if canImport(Glibc)
import Glibc
#endif

/// How the process asks glibc for memory: blocks of 128 KiB and more are mapped and unmapped on
/// their own, so memory a large course freed goes back to the system at once (issue 12).
///
/// glibc's default raises that threshold each time a mapped block is freed, up to 32 MB. After a
/// section's 24 MB history record was freed, every block under 24 MB came from the heap arenas,
/// where freed memory mostly stays with the process: a 40 MB gradebook's run peaked 40-50 MB
/// higher than with the threshold fixed (docs/PERFORMANCE.md, "One big course"). A district's
/// night maps a few thousand such blocks (a section's XML buffer, a file's read buffer), which
/// costs it no measurable time.
public enum ProcessMemory {
    /// Fixes glibc's mapping threshold at 128 KiB (its initial value). Call once, at start.
    public static func returnLargeBlocksToTheSystem() {
        #if canImport(Glibc)
        // `mallopt` is declared in <malloc.h>, which Swift's Glibc module leaves out; it is
        // looked up by name instead of adding a C module for one call.
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        _ = mallopt(mmapThreshold, 128 * 1024)
        #endif
    }

    /// glibc's `M_MMAP_THRESHOLD` (<malloc.h>).
    static let mmapThreshold: Int32 = -3
}
