package org.govhub.operate;

import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The admin's accounts API: list, create with a role, change a password or role, disable and
 * enable. Passwords never come back. The last enabled admin cannot be disabled or demoted.
 */
@RestController
@RequestMapping("/api/admin/accounts")
public class AccountsController {

    private final OperatorAccounts accounts;
    private final LoginEvents logins;

    public AccountsController(OperatorAccounts accounts, LoginEvents logins) {
        this.accounts = accounts;
        this.logins = logins;
    }

    public record NewAccount(String username, String role, String password) {
    }

    public record PasswordJson(String password) {
    }

    public record RoleJson(String role) {
    }

    @GetMapping
    public Map<String, Object> list() {
        return Map.of("accounts", accounts.list(), "roles", Roles.OF_ACCOUNTS);
    }

    @PostMapping
    public ResponseEntity<Map<String, Object>> create(@RequestBody NewAccount body) {
        if (!accounts.create(body.username(), body.role(), body.password())) {
            return ResponseEntity.status(HttpStatus.CONFLICT).body(Map.of("error", "account " + body.username() + " exists"));
        }
        return ResponseEntity.status(HttpStatus.CREATED).body(Map.of("username", body.username(), "role", body.role()));
    }

    @PutMapping("/{username}/password")
    public ResponseEntity<Void> password(@PathVariable String username, @RequestBody PasswordJson body) {
        return found(accounts.changePassword(username, body.password()));
    }

    @PutMapping("/{username}/role")
    public ResponseEntity<Void> role(@PathVariable String username, @RequestBody RoleJson body) {
        return found(accounts.changeRole(username, body.role()));
    }

    @PostMapping("/{username}/disable")
    public ResponseEntity<Void> disable(@PathVariable String username) {
        return found(accounts.setEnabled(username, false));
    }

    @PostMapping("/{username}/enable")
    public ResponseEntity<Void> enable(@PathVariable String username) {
        return found(accounts.setEnabled(username, true));
    }

    /** Logins counted by outcome since the start, and the latest ones (read-only). */
    @GetMapping("/logins")
    public Map<String, Object> logins() {
        return logins.summary();
    }

    private static ResponseEntity<Void> found(boolean found) {
        return found ? ResponseEntity.noContent().build() : ResponseEntity.notFound().build();
    }

    @ExceptionHandler(OperatorAccounts.Refused.class)
    ResponseEntity<Map<String, Object>> refused(OperatorAccounts.Refused e) {
        return ResponseEntity.badRequest().body(Map.of("errors", e.reasons));
    }

    @ExceptionHandler(OperatorAccounts.LastAdmin.class)
    ResponseEntity<Map<String, Object>> lastAdmin(OperatorAccounts.LastAdmin e) {
        return ResponseEntity.status(HttpStatus.CONFLICT).body(Map.of("errors", List.of(e.getMessage())));
    }
}
