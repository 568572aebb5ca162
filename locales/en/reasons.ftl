### Reasons for a `manual` decision, in English.
###
### One message per reason code, named by the code. A message uses only
### the params its code carries (docs/language.md, "Reason parameters");
### an optional param that a reason does not carry is empty, and
### `KIND($x)` is then `none`. `KIND` also tells a date (`date`) from an
### RFC 3339 instant (`time`). `TIME($x)` shows an instant at midnight as
### its date, any other as it is (RFC 3339 in the set's time zone).

unknown_org = unknown org `{ $org }`

unknown_employee = unknown employee `{ $employee }`

unknown_template = unknown template `{ $template }`

template_owner_mismatch = template `{ $template }` belongs to `{ $owner }`, not to the initiating org `{ $org }`

service_not_enabled =
    { $why ->
        [disabled] the auto-sign service of `{ $org }` was disabled at { TIME($at) }
        [not_yet_enabled] the auto-sign service of `{ $org }` is not enabled until { TIME($at) }
       *[never_enabled] the auto-sign service of `{ $org }` has never been enabled
    }

not_group_member = `{ $on_behalf_of }` is not a member of a group whose main org is `{ $org }`

initiator_not_authorized = employee `{ $employee }` may not initiate auto-sign for `{ $template }`: { $why ->
        [no_authorization] no auto-sign authorization
        [no_authorization_on_behalf] no authorization on behalf of `{ $org }`
        [other_template] authorization `{ $rule }` covers only `{ $covers }`
        [not_yet_valid] authorization `{ $rule }` is not valid until { TIME($from) }
        [expired] authorization `{ $rule }` { KIND($until) ->
            [date] expired after { TIME($until) }
           *[other] expired at { TIME($until) }
        }
        [revoked] authorization `{ $rule }` was revoked at { TIME($at) }{ KIND($by) ->
            [none] {""}
           *[other] { " " }by { $by }
        }
        [attribute_missing] authorization `{ $rule }` needs attribute `{ $attribute }` for `{ $condition }`, { KIND($given) ->
            [none] which the request does not give{ KIND($expected) ->
                [none] {""}
               *[other] { " " }as a { $expected }
            }
           *[other] which the request gives as a { $given }, not as a { $expected }
        }
       *[condition_not_met] the condition of authorization `{ $rule }` does not hold: `{ $condition }`{ KIND($attribute) ->
            [none] {""}
           *[other] , but { $attribute } is `{ $value }`
        }
    }

template_disabled = template `{ $template }` is disabled since { TIME($since) }

template_not_auto_sign =
    { $why ->
        [no_rule] template `{ $template }` is not an auto-sign template of `{ $org }`
        [not_yet_valid] auto-sign template rule `{ $rule }` is not valid until { TIME($from) }
        [expired] auto-sign template rule `{ $rule }` { KIND($until) ->
            [date] expired after { TIME($until) }
           *[other] expired at { TIME($until) }
        }
       *[revoked] auto-sign template rule `{ $rule }` was revoked at { TIME($at) }{ KIND($by) ->
            [none] {""}
           *[other] { " " }by { $by }
        }
    }

no_partner_grant = `{ $org }` has not authorized auto-sign of template `{ $template }`

signatory_mismatch = grant `{ $rule }` is for signatory "{ $grant_signatory }", not "{ $signatory }"

grant_not_yet_valid = grant `{ $rule }` is not valid until { TIME($from) }

grant_expired = grant `{ $rule }` { KIND($until) ->
        [date] expired after { TIME($until) }
       *[other] expired at { TIME($until) }
    }

grant_revoked = grant `{ $rule }` was revoked at { TIME($at) }{ KIND($by) ->
        [none] {""}
       *[other] { " " }by { $by }
    }

grant_void = grant `{ $rule }` is void: { $why ->
        [invite_mismatch] its { $mismatch ->
            [inviting_org] inviting org
            [signatory] signatory role
            [template] template
           *[other] { $mismatch }
        } does not match invite `{ $invite }`
        [accepted_before_invite] it was accepted before invite `{ $invite }` was sent
        [accepted_after_window] it was accepted after invite `{ $invite }` closed at { TIME($closed) }
       *[not_super_admin] it was accepted by `{ $by }`, who was not the super admin of `{ $org }` at { TIME($at) }
    }

seal_disabled = seal `{ $seal }` of rule `{ $rule }` is disabled since { TIME($since) }

condition_not_met = the condition of rule `{ $rule }` does not hold: `{ $condition }`{ KIND($attribute) ->
        [none] {""}
       *[other] , but { $attribute } is `{ $value }`
    }

attribute_missing = rule `{ $rule }` needs attribute `{ $attribute }` for `{ $condition }`, { KIND($given) ->
        [none] which the request does not give{ KIND($expected) ->
            [none] {""}
           *[other] { " " }as a { $expected }
        }
       *[other] which the request gives as a { $given }, not as a { $expected }
    }

forbidden = auto-seal by rule `{ $rule }` with `{ $seal }` is forbidden by `{ $forbid }`{ KIND($attribute) ->
        [none] {""}
       *[other] , which applies because the request does not give attribute `{ $attribute }`{ KIND($expected) ->
            [none] {""}
           *[other] { " " }as a { $expected }
        }
    }

ambiguous_seal = rules `{ $rule }` and `{ $other_rule }` both apply with different seals (`{ $seal }` and `{ $other_seal }`)
