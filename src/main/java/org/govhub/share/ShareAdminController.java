package org.govhub.share;

import java.security.Principal;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The operator's side of sharing: department accounts and keys, deciding requests, revoking grants, watching subscriptions. */
@RestController
@RequestMapping("/api/admin")
public class ShareAdminController {

    private final DepartmentAccounts accounts;
    private final ShareRequests requests;
    private final Grants grants;
    private final Subscriptions subscriptions;
    private final PushDelivery webhooks;

    public ShareAdminController(DepartmentAccounts accounts, ShareRequests requests, Grants grants, Subscriptions subscriptions,
            PushDelivery webhooks) {
        this.accounts = accounts;
        this.requests = requests;
        this.grants = grants;
        this.subscriptions = subscriptions;
        this.webhooks = webhooks;
    }

    public record DepartmentJson(String id, String name) {
    }

    /** Creates a department account with its first API key (shown once). */
    @PostMapping("/departments")
    public ResponseEntity<Map<String, Object>> createDepartment(@RequestBody DepartmentJson body) {
        if (body.id() == null) {
            throw new IllegalArgumentException("a department needs an 'id' (lower-case letters, digits and dashes) and a 'name'");
        }
        if (!accounts.create(body.id(), body.name())) {
            throw new IllegalStateException("department " + body.id() + " exists");
        }
        DepartmentAccounts.IssuedKey key = accounts.issueKey(body.id());
        return ResponseEntity.status(HttpStatus.CREATED).body(Map.of("department", body.id(), "keyId", key.keyId(), "key", key.key(),
                "note", "the key is shown only now; the hub keeps only its hash"));
    }

    @GetMapping("/departments")
    public Map<String, Object> departments() {
        return Map.of("departments", accounts.list());
    }

    @GetMapping("/departments/{departmentId}/keys")
    public Map<String, Object> keys(@PathVariable String departmentId) {
        return Map.of("keys", accounts.keys(departmentId));
    }

    /** Issues another key; the old ones keep working until revoked, so a department can switch without a gap. */
    @PostMapping("/departments/{departmentId}/keys")
    public ResponseEntity<Map<String, Object>> issueKey(@PathVariable String departmentId) {
        DepartmentAccounts.IssuedKey key = accounts.issueKey(departmentId);
        return ResponseEntity.status(HttpStatus.CREATED).body(Map.of("keyId", key.keyId(), "key", key.key(),
                "note", "the key is shown only now; revoke the old one when the department has switched"));
    }

    @PostMapping("/departments/{departmentId}/keys/{keyId}/revoke")
    public Map<String, Object> revokeKey(@PathVariable String departmentId, @PathVariable String keyId) {
        if (!accounts.revokeKey(departmentId, keyId)) {
            throw new NoSuchElementException("department " + departmentId + " has no active key " + keyId);
        }
        return Map.of("keyId", keyId, "revoked", true);
    }

    /** Requests, newest first; {@code ?status=PENDING} lists what waits for a decision, each with its due date and overdue flag. */
    @GetMapping("/share/requests")
    public Map<String, Object> requests(@RequestParam(required = false) String status) {
        return Map.of("requests", requests.list(null, status));
    }

    public record ApproveJson(List<String> fields, List<String> regionPrefixes, List<Integer> priorityClasses,
            List<Catalog.Personal> inClear) {
    }

    /** Grants a pending request, as asked or narrowed: each list in the body replaces the one asked for, never wider. */
    @PostMapping("/share/requests/{requestId}/approve")
    public Map<String, Object> approve(@PathVariable long requestId, @RequestBody(required = false) ApproveJson body, Principal operator) {
        return requests.approve(requestId, operator.getName(), asked -> body == null ? asked : new GrantTerms(
                body.fields() == null ? asked.fields() : body.fields(),
                body.regionPrefixes() == null ? asked.regionPrefixes() : body.regionPrefixes(),
                body.priorityClasses() == null ? asked.priorityClasses() : body.priorityClasses(),
                body.inClear() == null ? asked.inClear() : body.inClear()));
    }

    public record ReasonJson(String reason) {
    }

    @PostMapping("/share/requests/{requestId}/refuse")
    public Map<String, Object> refuse(@PathVariable long requestId, @RequestBody(required = false) ReasonJson body, Principal operator) {
        return requests.refuse(requestId, operator.getName(), body == null ? null : body.reason());
    }

    @GetMapping("/share/grants")
    public Map<String, Object> grants() {
        return Map.of("grants", grants.list(null));
    }

    /** Revokes a grant: every channel stops delivering it at once. */
    @PostMapping("/share/grants/{grantId}/revoke")
    public Map<String, Object> revoke(@PathVariable long grantId, @RequestBody(required = false) ReasonJson body, Principal operator) {
        if (!grants.revoke(grantId, operator.getName(), body == null ? null : body.reason())) {
            throw new NoSuchElementException("no active grant " + grantId);
        }
        return Map.of("grant", grantId, "status", "REVOKED", "removedFromBrokerQueues", subscriptions.closeBrokerQueues(grantId));
    }

    /** Every subscription with its position, backlog and errors. */
    @GetMapping("/share/subscriptions")
    public Map<String, Object> subscriptions() {
        return Map.of("subscriptions", subscriptions.list(null));
    }

    @GetMapping("/share/subscriptions/{subscriptionId}/dead-letters")
    public Map<String, Object> deadLetters(@PathVariable String subscriptionId) {
        subscriptions.find(subscriptionId).orElseThrow(() -> new NoSuchElementException("no subscription " + subscriptionId));
        return Map.of("deadLetters", webhooks.deadLetters(subscriptionId));
    }

    /** Sends a dead-lettered batch to the department again, before the subscription's next batch. */
    @PostMapping("/share/subscriptions/{subscriptionId}/dead-letters/{deadLetterId}/resend")
    public Map<String, Object> resend(@PathVariable String subscriptionId, @PathVariable long deadLetterId) {
        if (!webhooks.resend(subscriptionId, deadLetterId)) {
            throw new NoSuchElementException("subscription " + subscriptionId + " has no dead letter " + deadLetterId + " waiting");
        }
        return Map.of("deadLetter", deadLetterId, "status", "RESEND");
    }
}
