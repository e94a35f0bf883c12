#ifndef PASSBACK_CLIBXML2_SHIM_H
#define PASSBACK_CLIBXML2_SHIM_H

// Debian's libxml2 is built with ICU; Foundation ships its own ICU headers, and a Swift file that
// imports both fails to build in debug ('UErrorCode' has different definitions). Nothing here
// needs libxml2's ICU API.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED

#include <stdarg.h>
#include <stdio.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlwriter.h>
#include <libxml/xmlschemas.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlstring.h>
// The staff page tests read the pages as a browser would (htmlReadMemory).
#include <libxml/HTMLparser.h>

/// `xmlFree` is a C global function pointer, which Swift 6 strict concurrency rejects; this
/// wrapper is an ordinary function.
static inline void passback_xmlFree(void *pointer) {
    xmlFree(pointer);
}

/// Where libxml2's generic (printf-style) error messages go while a passback call runs: a
/// non-variadic function that Swift can implement, and its context.
typedef struct {
    void (*sink)(void *context, const char *message);
    void *context;
} passback_generic_error_target;

/// `xmlGenericErrorFunc` is variadic, which Swift cannot implement: this C function formats the
/// message and hands it to the target's non-variadic sink. Without a target it drops the message,
/// so nothing is ever printed on standard error.
static void passback_genericErrorTrampoline(void *context, const char *format, ...) {
    passback_generic_error_target *target = (passback_generic_error_target *)context;
    if (target == NULL || target->sink == NULL || format == NULL) {
        return;
    }
    char message[1024];
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(message, sizeof message, format, arguments);
    va_end(arguments);
    target->sink(target->context, message);
}

/// The calling thread's libxml2 error handlers (libxml2 keeps them per thread).
typedef struct {
    xmlStructuredErrorFunc structured;
    void *structuredContext;
    xmlGenericErrorFunc generic;
    void *genericContext;
} passback_xml_error_handlers;

static inline passback_xml_error_handlers passback_currentErrorHandlers(void) {
    passback_xml_error_handlers handlers;
    handlers.structured = xmlStructuredError;
    handlers.structuredContext = xmlStructuredErrorContext;
    handlers.generic = xmlGenericError;
    handlers.genericContext = xmlGenericErrorContext;
    return handlers;
}

/// Installs handlers on the calling thread: structured errors to `structured` with `context`,
/// generic messages to `target` through the trampoline (dropped when `target` is NULL).
static inline void passback_installErrorHandlers(xmlStructuredErrorFunc structured, void *context,
                                                 passback_generic_error_target *target) {
    xmlSetStructuredErrorFunc(context, structured);
    xmlSetGenericErrorFunc(target, passback_genericErrorTrampoline);
}

/// Puts back what ``passback_currentErrorHandlers`` returned.
static inline void passback_restoreErrorHandlers(passback_xml_error_handlers handlers) {
    xmlSetStructuredErrorFunc(handlers.structuredContext, handlers.structured);
    xmlSetGenericErrorFunc(handlers.genericContext, handlers.generic);
}

#endif
