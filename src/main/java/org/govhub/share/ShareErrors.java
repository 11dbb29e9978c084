package org.govhub.share;

import java.util.Map;
import java.util.NoSuchElementException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** The sharing API's errors as JSON with the reason: bad input 400, not yours or revoked 403, unknown 404, wrong state 409, broker unreachable 503. */
@RestControllerAdvice(assignableTypes = {ShareApiController.class, ShareAdminController.class, CatalogController.class})
class ShareErrors {

    @ExceptionHandler(IllegalArgumentException.class)
    ResponseEntity<Map<String, String>> badInput(IllegalArgumentException e) {
        return error(HttpStatus.BAD_REQUEST, e);
    }

    @ExceptionHandler(SubscriptionFeed.Forbidden.class)
    ResponseEntity<Map<String, String>> forbidden(SubscriptionFeed.Forbidden e) {
        return error(HttpStatus.FORBIDDEN, e);
    }

    @ExceptionHandler(NoSuchElementException.class)
    ResponseEntity<Map<String, String>> unknown(NoSuchElementException e) {
        return error(HttpStatus.NOT_FOUND, e);
    }

    @ExceptionHandler(IllegalStateException.class)
    ResponseEntity<Map<String, String>> conflict(IllegalStateException e) {
        return error(HttpStatus.CONFLICT, e);
    }

    @ExceptionHandler(SubscriptionBroker.Unavailable.class)
    ResponseEntity<Map<String, String>> brokerUnavailable(SubscriptionBroker.Unavailable e) {
        return error(HttpStatus.SERVICE_UNAVAILABLE, e);
    }

    private static ResponseEntity<Map<String, String>> error(HttpStatus status, Exception e) {
        return ResponseEntity.status(status).body(Map.of("error", String.valueOf(e.getMessage())));
    }
}
