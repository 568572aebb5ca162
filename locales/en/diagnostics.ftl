### Errors and warnings of a load, in English.
###
### One message per diagnostic code, named by the code (`syntax::bad_time`
### is `syntax-bad_time`): its value is the message, `.help` the help
### (none when it renders empty) and `.label` the words under the span. A
### message uses only the params its code carries (docs/language.md,
### "Diagnostic parameters"); an optional param that a diagnostic does not
### carry is empty, and `KIND($x)` is then `none`. A list param comes
### joined (`a`, `b` and `c`). `expected-KIND` names a kind of token a
### syntax error expected; `report-*` are the words of the report.

## Syntax errors

syntax-not_utf8 = file is not valid UTF-8
    .help = policy files are UTF-8; re-save the file as UTF-8
    .label = first byte that is not UTF-8

syntax-nul_byte = file contains a NUL byte
    .help = policy files are text; this looks like a binary file
    .label = NUL byte

syntax-file_too_large = file is { $size } bytes, more than the limit of { $limit }
    .help = split the policy set into several `.policy` files
    .label = file starts here

syntax-line_too_long = line is { $len } bytes, more than the limit of { $limit }
    .help = break long rules onto indented continuation lines
    .label = line starts here

syntax-too_deep = parentheses nested more than { $limit } deep
    .help = simplify the condition
    .label = too deep

syntax-too_many_statements = the policy set has more than { $limit } statements
    .label = statement over the limit

syntax-unexpected = expected { $expected }, found { $hint ->
        [keyword] keyword { $found }
       *[other] { $found ->
            [end_of_file] end of file
            [end_of_line] end of line
           *[other] { $found }
        }
    }
    .help = { $hint ->
        [time] write times as `2026-03-01T09:00:00+08:00` or dates as `2026-03-01`
        [name] names start with a letter or `_`; keywords such as `from` or `seal` cannot be names
        [continuation] this line begins with white space, so it continues the statement above it; remove the indentation to start a new statement
        [keyword] keywords such as `from` or `seal` are reserved and cannot be names
       *[other] {""}
    }
    .label = here

expected-comparison = a comparison
expected-condition = a condition
expected-list = a list
expected-name = a name
expected-number = a number
expected-qualified_name = a qualified name like `acme.li`
expected-seal_kind = a seal kind
expected-statement = a statement
expected-string = a string
expected-time = a time
expected-offset = an offset like `+08:00`
expected-end_of_file = end of file
expected-end_of_statement = end of statement
expected-something_else = something else

syntax-missing_by = `by PERSON` is missing after `accepted { $accepted }`
    .help = say who accepted the invite, the partner's super admin: `accepted { $accepted } by PERSON`
    .label = accepted by whom?

syntax-nothing_to_continue = indented line { $after ->
        [org_block] after the org block's `{"}"}`
       *[start_of_file] at the start of the file
    } has no statement to continue
    .help = { $after ->
        [org_block] an org block ends at its `{"}"}`, and a line that begins with white space continues the statement above it; remove the indentation to start a new statement, or move the line into the block
       *[start_of_file] a line that begins with white space continues the statement above it, and there is none; remove the indentation to start a statement
    }
    .label = continues nothing

syntax-bad_time = { $why ->
        [no_such_date] no such date `{ $text }`
        [year_out_of_range] `{ $text }` is out of range: years { $min_year } to { $max_year } are supported
       *[not_rfc3339] `{ $text }` is not a valid RFC 3339 time: { $detail ->
            [out_of_range] input is out of range
            [impossible] no possible date and time matching input
            [not_enough] input is not enough for unique date and time
            [invalid] input contains invalid characters
            [too_short] premature end of input
            [too_long] trailing input
           *[bad_format] bad or unsupported format string
        }
    }
    .help = write times as `2026-03-01T09:00:00+08:00` or dates as `2026-03-01`
    .label = invalid time

syntax-time_precision = time `{ $text }` is more precise than a microsecond
    .label = at most 6 fractional digits

syntax-number_too_large = number `{ $text }` has more than { $limit } digits (leading zeros before the point aside)
    .help = numbers are exact decimals of at most { $limit } digits, so at most { $limit } decimal places
    .label = too many digits

syntax-string_too_long = string is { $len } characters, more than the limit of { $limit }
    .label = string starts here

syntax-bad_escape = unknown escape `{ $text }` in string
    .help = strings accept `\"`, `\\`, `\n`, `\t` and `\u{"{"}...{"}"}`
    .label = unknown escape

syntax-bad_offset = invalid offset `{ $text }`
    .help = write an offset as `+08:00`, `-05:00` or `Z`
    .label = invalid offset

syntax-bad_count = `{ $count }` is not a valid count
    .label = expected a number from 1 to 1200

## Errors of the check

unknown_org = unknown org `{ $name }`
    .help = { $hint ->
        [did_you_mean] did you mean `{ $close }`?
        [check_spelling] check the spelling of `{ $name }`
       *[declare] declare it with `org { $name } "..." {"{"} ... {"}"}`
    }
    .label = not declared

unknown_person = unknown person `{ $name }` of org `{ $org }`
    .help = { $hint ->
        [did_you_mean] did you mean `{ $close }`?
        [check_spelling] check the spelling of `{ $name }`
        [none_declared] `{ $org }` declares no person{ KIND($elsewhere) ->
            [none] {""}
           *[other] { " " }(`{ $name }` is a person of `{ $elsewhere }`)
        }: declare it inside `org { $org }` as `employee { $name } "..."`
        [only_one] the only person of `{ $org }` is { $members }{ KIND($elsewhere) ->
            [none] {""}
           *[other] { " " }(`{ $name }` is a person of `{ $elsewhere }`)
        }; or declare it inside `org { $org }` as `employee { $name } "..."`
       *[list] the people of `{ $org }` are { $members }{ KIND($elsewhere) ->
            [none] {""}
           *[other] { " " }(`{ $name }` is a person of `{ $elsewhere }`)
        }; or declare it inside `org { $org }` as `employee { $name } "..."`
    }
    .label = not a person of `{ $org }`

unknown_seal = unknown seal `{ $name }` of org `{ $org }`
    .help = { $hint ->
        [did_you_mean] did you mean `{ $close }`?
        [check_spelling] check the spelling of `{ $name }`
        [none_declared] `{ $org }` declares no seal{ KIND($elsewhere) ->
            [none] {""}
           *[other] { " " }(`{ $name }` is a seal of `{ $elsewhere }`)
        }: declare it inside `org { $org }` as `seal { $name } "..." kind ...`
        [only_one] the only seal of `{ $org }` is { $members }{ KIND($elsewhere) ->
            [none] {""}
           *[other] { " " }(`{ $name }` is a seal of `{ $elsewhere }`)
        }; or declare it inside `org { $org }` as `seal { $name } "..." kind ...`
       *[list] the seals of `{ $org }` are { $members }{ KIND($elsewhere) ->
            [none] {""}
           *[other] { " " }(`{ $name }` is a seal of `{ $elsewhere }`)
        }; or declare it inside `org { $org }` as `seal { $name } "..." kind ...`
    }
    .label = not a seal of `{ $org }`

unknown_template = unknown template `{ $name }` of org `{ $org }`
    .help = { $hint ->
        [did_you_mean] did you mean `{ $close }`?
        [check_spelling] check the spelling of `{ $name }`
        [none_declared] `{ $org }` declares no template{ KIND($elsewhere) ->
            [none] {""}
           *[other] { " " }(`{ $name }` is a template of `{ $elsewhere }`)
        }: declare it inside `org { $org }` as `template { $name } "..."`
        [only_one] the only template of `{ $org }` is { $members }{ KIND($elsewhere) ->
            [none] {""}
           *[other] { " " }(`{ $name }` is a template of `{ $elsewhere }`)
        }; or declare it inside `org { $org }` as `template { $name } "..."`
       *[list] the templates of `{ $org }` are { $members }{ KIND($elsewhere) ->
            [none] {""}
           *[other] { " " }(`{ $name }` is a template of `{ $elsewhere }`)
        }; or declare it inside `org { $org }` as `template { $name } "..."`
    }
    .label = not a template of `{ $org }`

unknown_role = unknown signatory role `{ $role }` for template `{ $template }`
    .help = the template's signatories are { $roles }
    .label = not a signatory of `{ $template }`

unknown_invite = unknown invite `{ $name }`
    .help = { $hint ->
        [did_you_mean] did you mean `{ $close }`?
        [check_spelling] check the spelling of `{ $name }`
       *[declare] an invite is a labelled `ORG invites partners to authorize template ...` event
    }
    .label = no invite has this label

unknown_label = unknown label `{ $name }`
    .help = { $hint ->
        [did_you_mean] did you mean `{ $close }`?
        [check_spelling] check the spelling of `{ $name }`
       *[declare] `{ $name }` names a labelled { $what ->
            [grant] grant
           *[rule] rule
        }
    }
    .label = no statement has this label

unknown_seal_kind = unknown seal kind `{ $name }`
    .help = { $hint ->
        [did_you_mean] did you mean `{ $close }`?
        [check_spelling] check the spelling of `{ $name }`
       *[list] seal kinds are { $kinds }
    }
    .label = not a seal kind

duplicate_name = duplicate { $what ->
        [org] org
        [person] person
        [seal] seal
        [template] template
        [group] group
        [group_member] group member
        [signatory] signatory
        [attribute] attribute
       *[label] label
    } `{ $name }`
    .help = first declared at { $first }
    .label = declared again here

two_super_admins = org `{ $org }` has more than one super admin
    .help = the first is declared at { $first }
    .label = second super admin

date_without_timezone = date `{ $text }` used without a `timezone`
    .help = add a line such as `timezone +08:00` above it in this file, or write a full time with an offset
    .label = which day? no timezone is set in this file

from_after_until = `from { $from }` is after `until { $until }`
    .label = this rule would never apply

wrong_org = { $what } `{ $name }` belongs to org `{ $owner }`, not `{ $expected }`
    .help = this authorization covers templates of `{ $expected }`
    .label = wrong org

wrong_qualifier = `{ $name }` names org `{ $qualifier }`, but { $what ->
        [person] a person
        [seal] a seal
       *[template] a template
    } of org `{ $expected }` is expected here
    .help = { $hint ->
        [partner_revoke] a partner grant is revoked by the super admin of `{ $expected }`, the partner
        [reseal] a reseal keeps the org: use a seal of `{ $expected }`
        [known_here] the org is known here: write `{ $bare }` or `{ $expected }.{ $bare }`
       *[other_org] use { $what ->
            [person] a person
            [seal] a seal
           *[template] a template
        } of `{ $expected }`
    }
    .label = not of `{ $expected }`

unqualified_name = `{ $name }` needs its org: { $why ->
       *[forbid_revoke] a forbid belongs to no org
    }
    .help = { KIND($org) ->
        [none] { KIND($orgs) ->
            [none] write it as `ORG.{ $name }`
           *[other] write `ORG.{ $name }`: { $orgs } have a person `{ $name }`
        }
       *[other] write `{ $org }.{ $name }`
    }
    .label = which org?

not_group_member = `{ $org }` is not a member of a group whose main org is `{ $main }`
    .help = { $hint ->
        [did_you_mean] did you mean `{ $close }`?
        [check_spelling] check the spelling of `{ $org }`
       *[main_only] only the main org of a group may initiate on behalf of its members
    }
    .label = not a member

not_super_admin = `{ $person }` is not the super admin of `{ $org }`
    .help = { $why ->
        [partner_revoke] a partner grant is revoked by the super admin of `{ $org }`
       *[service] only the org's super admin opens or closes the auto-sign service
    }; { KIND($admin) ->
        [none] `{ $org }` has no super admin at { $at }
       *[other] at { $at } the super admin of `{ $org }` is `{ $admin }`
    }
    .label = not the super admin

two_admin_changes = org `{ $org }` changes its super admin twice at { $at }
    .help = the other change at that instant is at { $first }; keep the one that happened
    .label = second change at the same instant

conflicting_rules = rules `{ $first }` and `{ $second }` give `{ $signer }` on template `{ $template }`{ KIND($signatory) ->
        [none] {""}
       *[other] { " " }as "{ $signatory }"
    } different seals (`{ $first_seal }` and `{ $second_seal }`) from { KIND($at) ->
        [none] the start
       *[other] { $at }
    }
    .help = give one of them a `when` condition or a validity that does not overlap, or revoke one
    .label = conflicts with `{ $first }`

attribute_type = attribute `{ $attr }` is declared as { $declared } but compared with a { $used }
    .label = a { $used }

ordering_needs_number = `{ $op }` compares numbers, not a { $used }
    .help = use `==`, `!=` or `in` for strings and booleans
    .label = not a number

invite_without_label = an invite needs a label
    .help = write `inv_name: { $org } invites partners ...`; grants name it with `via invite inv_name`
    .label = no label

wrong_target = `{ $name }` is not { $expected ->
        [rule] a rule
        [invite] an invite
       *[seal_rule] a partner grant or auto-sign template rule
    }
    .help = { $expected ->
        [rule] `revoke` names a labelled rule or grant
        [invite] `via invite` names a labelled invite
       *[seal_rule] `reseal` names a partner grant or an auto-sign template rule
    }
    .label = names { $found ->
        [seal_rule] a rule with a seal
        [employee_rule] an employee authorization
        [forbid] a forbid
        [invite] an invite
        [event] an event
       *[unresolved] a statement with an error
    }

two_groups = org `{ $org }` is in more than one group
    .help = it is already in group `{ $first }`
    .label = second group

main_is_member = org `{ $org }` is the main org of its group and cannot be its own member
    .label = main org listed as a member

## Warnings

void_grant = grant `{ $rule }` is void: { $why ->
        [invite_mismatch] its { $mismatch ->
            [inviting_org] inviting org
            [signatory] signatory role
           *[template] template
        } does not match invite `{ $invite }`
        [accepted_before_invite] it was accepted before invite `{ $invite }` was sent
        [accepted_after_window] it was accepted after invite `{ $invite }` closed at { $closed }
       *[not_super_admin] it was accepted by `{ $by }`, who was not the super admin of `{ $org }` at { $at }
    }
    .help = a void grant never auto-seals; decisions that would use it say `grant_void`
    .label = void

never_applies = rule `{ $rule }` can never apply: { $why ->
        [revoked_before_start] it is revoked at { $at } before it starts
        [empty_window] its window is empty
        [service_off] the auto-sign service of `{ $org }` is off throughout
        [template_disabled] template `{ $template }` is disabled throughout
        [seal_disabled] seal `{ $seal }` is disabled throughout
       *[accepted_late] it is accepted at { $at }, no earlier than its `until { $until }`
    }
    .label = never applies

never_seals = rule `{ $rule }` can never seal: every auto-seal it gives is blocked by { KIND($forbid) ->
        [none] forbids { $forbids }
       *[other] forbid `{ $forbid }`
    }, for its whole window
    .help = a `forbid` without a condition overrides every grant; narrow the forbid (scope, validity or `when`) or remove the rule
    .label = never seals

duplicate_rule = duplicate rule: the same as `{ $first }`
    .help = remove one of them
    .label = duplicate

invite_never_accepted = invite `{ $invite }` is never accepted
    .help = no partner grant names it with `via invite { $invite }`
    .label = no grant accepts it

admin_unchanged = `{ $person }` already is the super admin of `{ $org }` at { $at }
    .help = this change changes nothing; remove it, or name the new super admin
    .label = no change

enables_without_by = `{ $org }` enables auto-sign without saying by whom
    .help = add `by PERSON`, the super admin who signed the service agreement{ KIND($at) ->
        [none] {""}
       *[other] ; { KIND($admin) ->
            [none] `{ $org }` has no super admin at { $at }
           *[other] at { $at } the super admin of `{ $org }` is `{ $admin }`
        }
    }
    .label = by whom?

undeclared_attribute = attribute `{ $attr }` is not declared
    .help = { $hint ->
        [did_you_mean] did you mean `{ $close }`?
        [check_spelling] check the spelling of `{ $attr }`
       *[declare] declare it, for example `attribute { $attr }: number`, so its type is checked
    }
    .label = not declared

empty_list = `{ $attr } in []` never holds: the list is empty{ $of ->
        [forbid] ; the forbid still blocks a request that does not give it
       *[grant] {""}
    }
    .help = list the values of `{ $attr }` it is meant to match
    .label = compared with an empty list

revoked_twice = rule `{ $rule }` is revoked more than once
    .help = the earliest revocation applies
    .label = another revocation

## The report

report-summary = { $errors ->
        [one] 1 error
       *[other] { $errors } errors
    }, { $warnings ->
        [one] 1 warning
       *[other] { $warnings } warnings
    }
report-no-problems = no problems
