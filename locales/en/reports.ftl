### Lines of the reports, in English.
###
### `template-tooltip`: what a console shows on a template's "use" button
### (`autoseal templates`): usable, usable when its conditions hold, or
### not, with the first reason's message (already in this language).

template-tooltip = { $template_name }: { $why ->
        [usable] auto-signed with { $seal_name } (`{ $seal }`) by rule `{ $rule }`
        [conditional] auto-signed with { $seal_name } (`{ $seal }`) by rule `{ $rule }` when its conditions hold{ KIND($needs) ->
            [none] {""}
           *[other] { " " }(needs { $needs })
        }
       *[manual] cannot be used for auto-sign: { $reason }
    }

# The initiator's org (or the one it initiates for) has no templates.
templates-none = `{ $org }` has no templates
