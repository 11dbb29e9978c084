package org.govhub.audit;

import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** A call whose exchange could not be logged is answered 503: it did not happen, try again later. */
@RestControllerAdvice
class ExchangeLogErrors {

    private static final Logger log = LoggerFactory.getLogger(ExchangeLogErrors.class);

    @ExceptionHandler(ExchangeLog.Unavailable.class)
    ResponseEntity<Map<String, String>> unavailable(ExchangeLog.Unavailable e) {
        log.error("{}", e.getMessage());
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                .body(Map.of("error", "the exchange log cannot be written, so the exchange did not happen; try again later"));
    }
}
