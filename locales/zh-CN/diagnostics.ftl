### 加载策略时的错误和警告（简体中文）。
###
### 每个诊断代码一条消息，以代码命名（`syntax::bad_time` 写作
### `syntax-bad_time`）：消息的值是说明，`.help` 是提示（为空则不显示），
### `.label` 是标在代码下方的文字。消息只使用该代码携带的参数
### （docs/language.md，"Diagnostic parameters"）；诊断未携带的可选参数为空，
### 此时 `KIND($x)` 为 `none`。列表参数已按中文连接（`a`、`b` 和 `c`）。
### `TIME($x)` 把时刻写成“2026-06-01 12:00”（零点只写日期）。
### `expected-KIND` 是语法错误中“应为”的内容；`report-*` 是报告的用语。
### 用语与电子签控制台一致：自动签署、印章、超管、模板、签署方、授权、合作方。

## 语法错误

syntax-not_utf8 = 文件不是有效的 UTF-8 编码
    .help = 策略文件须为 UTF-8 编码，请将文件另存为 UTF-8
    .label = 第一个不是 UTF-8 的字节

syntax-nul_byte = 文件含有 NUL 字节
    .help = 策略文件应为文本文件，这个文件看起来是二进制文件
    .label = NUL 字节

syntax-file_too_large = 文件大小为 { $size } 字节，超过上限 { $limit } 字节
    .help = 请把策略集拆分为多个 `.policy` 文件
    .label = 文件从这里开始

syntax-line_too_long = 该行长 { $len } 字节，超过上限 { $limit } 字节
    .help = 请把过长的规则拆到缩进的续行中
    .label = 该行从这里开始

syntax-too_deep = 括号嵌套超过 { $limit } 层
    .help = 请简化条件
    .label = 嵌套过深

syntax-too_many_statements = 策略集的语句超过 { $limit } 条
    .label = 超出上限的语句

syntax-unexpected = 此处应为 { $expected }，实际为{ $hint ->
        [keyword] 关键字 { $found }
       *[other] { $found ->
            [end_of_file] 文件结尾
            [end_of_line] 行尾
           *[other] { " " }{ $found }
        }
    }
    .help = { $hint ->
        [time] 时间写作 `2026-03-01T09:00:00+08:00`，日期写作 `2026-03-01`
        [name] 名称以字母或 `_` 开头；`from`、`seal` 等关键字不能用作名称
        [continuation] 这一行以空白开头，因此是上一条语句的续行；若要开始新的语句，请去掉缩进
        [keyword] `from`、`seal` 等是保留的关键字，不能用作名称
       *[other] {""}
    }
    .label = 此处

expected-comparison = 比较运算符
expected-condition = 条件
expected-list = 列表
expected-name = 名称
expected-number = 数字
expected-qualified_name = 带企业的名称（如 `acme.li`）
expected-seal_kind = 印章类型
expected-statement = 语句
expected-string = 字符串
expected-time = 时间
expected-offset = 时区偏移（如 `+08:00`）
expected-end_of_file = 文件结尾
expected-end_of_statement = 语句结尾
expected-something_else = 其他内容

syntax-missing_by = `accepted { $accepted }` 之后缺少 `by PERSON`
    .help = 请写明接受邀请的人，即合作方的超管：`accepted { $accepted } by PERSON`
    .label = 由谁接受？

syntax-nothing_to_continue = { $after ->
        [org_block] 企业块的 `{"}"}` 之后
       *[start_of_file] 文件开头
    }的缩进行没有可接续的语句
    .help = { $after ->
        [org_block] 企业块在其 `{"}"}` 处结束，而以空白开头的行是上一条语句的续行；若要开始新的语句，请去掉缩进，或把这一行移入企业块
       *[start_of_file] 以空白开头的行是上一条语句的续行，但这里没有上一条语句；若要开始一条语句，请去掉缩进
    }
    .label = 没有可接续的语句

syntax-bad_time = { $why ->
        [no_such_date] 日期 `{ $text }` 不存在
        [year_out_of_range] `{ $text }` 超出范围：仅支持 { $min_year } 至 { $max_year } 年
       *[not_rfc3339] `{ $text }` 不是有效的 RFC 3339 时间：{ $detail ->
            [out_of_range] 数值超出范围
            [impossible] 不存在与之相符的日期和时间
            [not_enough] 信息不足，无法确定唯一的日期和时间
            [invalid] 含有无效字符
            [too_short] 输入提前结束
            [too_long] 末尾有多余内容
           *[bad_format] 格式不受支持
        }
    }
    .help = 时间写作 `2026-03-01T09:00:00+08:00`，日期写作 `2026-03-01`
    .label = 无效的时间

syntax-time_precision = 时间 `{ $text }` 的精度高于微秒
    .label = 小数部分最多 6 位

syntax-number_too_large = 数字 `{ $text }` 超过 { $limit } 位（小数点前的前导零不计）
    .help = 数字是至多 { $limit } 位的精确小数，因此小数部分最多 { $limit } 位
    .label = 位数过多

syntax-string_too_long = 字符串长 { $len } 个字符，超过上限 { $limit } 个
    .label = 字符串从这里开始

syntax-bad_escape = 字符串中有未知的转义 `{ $text }`
    .help = 字符串中可用的转义有 `\"`、`\\`、`\n`、`\t` 和 `\u{"{"}...{"}"}`
    .label = 未知的转义

syntax-bad_offset = 无效的时区偏移 `{ $text }`
    .help = 时区偏移写作 `+08:00`、`-05:00` 或 `Z`
    .label = 无效的时区偏移

syntax-bad_count = `{ $count }` 不是有效的数量
    .label = 应为 1 至 1200 之间的数字

## 检查发现的错误

unknown_org = 企业 `{ $name }` 不存在
    .help = { $hint ->
        [did_you_mean] 是否想写 `{ $close }`？
        [check_spelling] 请检查 `{ $name }` 的拼写
       *[declare] 请用 `org { $name } "..." {"{"} ... {"}"}` 声明该企业
    }
    .label = 未声明

unknown_person = 企业 `{ $org }` 没有员工 `{ $name }`
    .help = { $hint ->
        [did_you_mean] 是否想写 `{ $close }`？
        [check_spelling] 请检查 `{ $name }` 的拼写
        [none_declared] 企业 `{ $org }` 未声明任何员工{ KIND($elsewhere) ->
            [none] {""}
           *[other] （`{ $name }` 是企业 `{ $elsewhere }` 的员工）
        }：请在 `org { $org }` 中声明 `employee { $name } "..."`
        [only_one] 企业 `{ $org }` 唯一的员工是 { $members }{ KIND($elsewhere) ->
            [none] {""}
           *[other] （`{ $name }` 是企业 `{ $elsewhere }` 的员工）
        }；也可以在 `org { $org }` 中声明 `employee { $name } "..."`
       *[list] 企业 `{ $org }` 的员工有 { $members }{ KIND($elsewhere) ->
            [none] {""}
           *[other] （`{ $name }` 是企业 `{ $elsewhere }` 的员工）
        }；也可以在 `org { $org }` 中声明 `employee { $name } "..."`
    }
    .label = 不是 `{ $org }` 的员工

unknown_seal = 企业 `{ $org }` 没有印章 `{ $name }`
    .help = { $hint ->
        [did_you_mean] 是否想写 `{ $close }`？
        [check_spelling] 请检查 `{ $name }` 的拼写
        [none_declared] 企业 `{ $org }` 未声明任何印章{ KIND($elsewhere) ->
            [none] {""}
           *[other] （`{ $name }` 是企业 `{ $elsewhere }` 的印章）
        }：请在 `org { $org }` 中声明 `seal { $name } "..." kind ...`
        [only_one] 企业 `{ $org }` 唯一的印章是 { $members }{ KIND($elsewhere) ->
            [none] {""}
           *[other] （`{ $name }` 是企业 `{ $elsewhere }` 的印章）
        }；也可以在 `org { $org }` 中声明 `seal { $name } "..." kind ...`
       *[list] 企业 `{ $org }` 的印章有 { $members }{ KIND($elsewhere) ->
            [none] {""}
           *[other] （`{ $name }` 是企业 `{ $elsewhere }` 的印章）
        }；也可以在 `org { $org }` 中声明 `seal { $name } "..." kind ...`
    }
    .label = 不是 `{ $org }` 的印章

unknown_template = 企业 `{ $org }` 没有模板 `{ $name }`
    .help = { $hint ->
        [did_you_mean] 是否想写 `{ $close }`？
        [check_spelling] 请检查 `{ $name }` 的拼写
        [none_declared] 企业 `{ $org }` 未声明任何模板{ KIND($elsewhere) ->
            [none] {""}
           *[other] （`{ $name }` 是企业 `{ $elsewhere }` 的模板）
        }：请在 `org { $org }` 中声明 `template { $name } "..."`
        [only_one] 企业 `{ $org }` 唯一的模板是 { $members }{ KIND($elsewhere) ->
            [none] {""}
           *[other] （`{ $name }` 是企业 `{ $elsewhere }` 的模板）
        }；也可以在 `org { $org }` 中声明 `template { $name } "..."`
       *[list] 企业 `{ $org }` 的模板有 { $members }{ KIND($elsewhere) ->
            [none] {""}
           *[other] （`{ $name }` 是企业 `{ $elsewhere }` 的模板）
        }；也可以在 `org { $org }` 中声明 `template { $name } "..."`
    }
    .label = 不是 `{ $org }` 的模板

unknown_role = 模板 `{ $template }` 没有签署方“{ $role }”
    .help = 该模板的签署方为 { $roles }
    .label = 不是 `{ $template }` 的签署方

unknown_invite = 邀请 `{ $name }` 不存在
    .help = { $hint ->
        [did_you_mean] 是否想写 `{ $close }`？
        [check_spelling] 请检查 `{ $name }` 的拼写
       *[declare] 邀请是带标签的 `ORG invites partners to authorize template ...` 事件
    }
    .label = 没有带此标签的邀请

unknown_label = 标签 `{ $name }` 不存在
    .help = { $hint ->
        [did_you_mean] 是否想写 `{ $close }`？
        [check_spelling] 请检查 `{ $name }` 的拼写
       *[declare] `{ $name }` 应为某条{ $what ->
            [grant] 授权
           *[rule] 规则
        }的标签
    }
    .label = 没有语句带此标签

unknown_seal_kind = 未知的印章类型 `{ $name }`
    .help = { $hint ->
        [did_you_mean] 是否想写 `{ $close }`？
        [check_spelling] 请检查 `{ $name }` 的拼写
       *[list] 印章类型有 { $kinds }
    }
    .label = 不是印章类型

duplicate_name = 重复的{ $what ->
        [org] 企业
        [person] 员工
        [seal] 印章
        [template] 模板
        [group] 集团
        [group_member] 集团成员
        [signatory] 签署方
        [attribute] 属性
       *[label] 标签
    } `{ $name }`
    .help = 首次声明于 { $first }
    .label = 在此再次声明

two_super_admins = 企业 `{ $org }` 有不止一位超管
    .help = 第一位超管声明于 { $first }
    .label = 第二位超管

date_without_timezone = 日期 `{ $text }` 之前没有 `timezone`
    .help = 请在本文件中它的上方加一行，如 `timezone +08:00`，或写出带时区偏移的完整时间
    .label = 是哪一天？本文件没有设置时区

from_after_until = `from { $from }` 晚于 `until { $until }`
    .label = 这条规则永远不会生效

wrong_org = { $what ->
       *[template] 模板
    } `{ $name }` 属于企业 `{ $owner }`，而不是 `{ $expected }`
    .help = 这条授权适用于企业 `{ $expected }` 的模板
    .label = 企业不符

wrong_qualifier = `{ $name }` 指明了企业 `{ $qualifier }`，但此处应为企业 `{ $expected }` 的{ $what ->
        [person] 员工
        [seal] 印章
       *[template] 模板
    }
    .help = { $hint ->
        [partner_revoke] 合作方授权由合作方 `{ $expected }` 的超管撤销
        [reseal] 更换印章不能更换企业：请使用企业 `{ $expected }` 的印章
        [known_here] 此处已知企业：请写作 `{ $bare }` 或 `{ $expected }.{ $bare }`
       *[other_org] 请使用企业 `{ $expected }` 的{ $what ->
            [person] 员工
            [seal] 印章
           *[template] 模板
        }
    }
    .label = 不属于 `{ $expected }`

unqualified_name = `{ $name }` 需要写明所属企业：{ $why ->
       *[forbid_revoke] 禁止规则不属于任何企业
    }
    .help = { KIND($org) ->
        [none] { KIND($orgs) ->
            [none] 请写作 `ORG.{ $name }`
           *[other] 请写作 `ORG.{ $name }`：{ $orgs } 都有名为 `{ $name }` 的员工
        }
       *[other] 请写作 `{ $org }.{ $name }`
    }
    .label = 哪个企业？

not_group_member = `{ $org }` 不是以 `{ $main }` 为主企业的集团的成员
    .help = { $hint ->
        [did_you_mean] 是否想写 `{ $close }`？
        [check_spelling] 请检查 `{ $org }` 的拼写
       *[main_only] 只有集团的主企业才能代集团成员发起合同
    }
    .label = 不是集团成员

not_super_admin = `{ $person }` 不是企业 `{ $org }` 的超管
    .help = { $why ->
        [partner_revoke] 合作方授权须由合作方 `{ $org }` 的超管撤销
       *[service] 只有企业的超管才能开通或关闭自动签署服务
    }；{ KIND($admin) ->
        [none] 企业 `{ $org }` 在 { TIME($at) } 没有超管
       *[other] { TIME($at) } 时企业 `{ $org }` 的超管是 `{ $admin }`
    }
    .label = 不是超管

two_admin_changes = 企业 `{ $org }` 在 { TIME($at) } 两次变更超管
    .help = 同一时刻的另一次变更位于 { $first }；请只保留实际发生的那一次
    .label = 同一时刻的第二次变更

conflicting_rules = 规则 `{ $first }` 与 `{ $second }` { KIND($at) ->
        [none] 从一开始
       *[other] 自 { TIME($at) } 起
    }为 `{ $signer }` 在模板 `{ $template }` 上{ KIND($signatory) ->
        [none] {""}
       *[other] 作为签署方“{ $signatory }”
    }指定了不同的印章（`{ $first_seal }` 与 `{ $second_seal }`）
    .help = 请为其中一条加上 `when` 条件或不重叠的有效期，或撤销其中一条
    .label = 与 `{ $first }` 冲突

attribute_type = 属性 `{ $attr }` 声明为{ $declared ->
        [number] 数字
        [string] 字符串
       *[bool] 布尔值
    }，却与{ $used ->
        [number] 数字
        [string] 字符串
       *[bool] 布尔值
    }比较
    .label = { $used ->
        [number] 数字
        [string] 字符串
       *[bool] 布尔值
    }

ordering_needs_number = `{ $op }` 只能比较数字，不能比较{ $used ->
        [string] 字符串
       *[bool] 布尔值
    }
    .help = 字符串和布尔值请用 `==`、`!=` 或 `in` 比较
    .label = 不是数字

invite_without_label = 邀请需要标签
    .help = 请写作 `inv_name: { $org } invites partners ...`；授权用 `via invite inv_name` 指明该邀请
    .label = 缺少标签

wrong_target = `{ $name }` 不是{ $expected ->
        [rule] 规则
        [invite] 邀请
       *[seal_rule] 合作方授权或自动签模板规则
    }
    .help = { $expected ->
        [rule] `revoke` 须指明带标签的规则或授权
        [invite] `via invite` 须指明带标签的邀请
       *[seal_rule] `reseal` 须指明合作方授权或自动签模板规则
    }
    .label = 这是{ $found ->
        [seal_rule] 带印章的规则
        [employee_rule] 员工自动签授权
        [forbid] 禁止规则
        [invite] 邀请
        [event] 事件
       *[unresolved] 有错误的语句
    }

two_groups = 企业 `{ $org }` 属于不止一个集团
    .help = 它已属于集团 `{ $first }`
    .label = 第二个集团

main_is_member = 企业 `{ $org }` 是所在集团的主企业，不能同时是集团成员
    .label = 主企业被列为成员

## 警告

void_grant = 合作方授权 `{ $rule }` 无效：{ $why ->
        [invite_mismatch] 其{ $mismatch ->
            [inviting_org] 邀请企业
            [signatory] 签署方
           *[template] 模板
        }与邀请 `{ $invite }` 不一致
        [accepted_before_invite] 在邀请 `{ $invite }` 发出之前就已接受
        [accepted_after_window] 邀请 `{ $invite }` 已于 { TIME($closed) } 失效，之后才接受
       *[not_super_admin] 接受邀请的 `{ $by }` 在 { TIME($at) } 时不是企业 `{ $org }` 的超管
    }
    .help = 无效的授权永远不会自动签署；本会用到它的决定给出 `grant_void`
    .label = 无效

never_applies = 规则 `{ $rule }` 永远不会生效：{ $why ->
        [revoked_before_start] 它在开始之前，于 { TIME($at) } 就已被撤销
        [empty_window] 它的有效期为空
        [service_off] 企业 `{ $org }` 的自动签署服务在整个有效期内都已关闭
        [template_disabled] 模板 `{ $template }` 在整个有效期内都已停用
        [seal_disabled] 印章 `{ $seal }` 在整个有效期内都已停用
       *[accepted_late] 它于 { TIME($at) } 才被接受，不早于其 `until { $until }`
    }
    .label = 永远不会生效

never_seals = 规则 `{ $rule }` 永远无法自动签署：它给出的每一次自动签署在整个有效期内都被禁止规则 { KIND($forbid) ->
        [none] { $forbids }
       *[other] `{ $forbid }`
    } 阻止
    .help = 不带条件的 `forbid` 优先于所有授权；请缩小禁止规则的范围（适用对象、有效期或 `when`），或删除这条规则
    .label = 永远无法自动签署

duplicate_rule = 重复的规则：与 `{ $first }` 相同
    .help = 请删除其中一条
    .label = 重复

invite_never_accepted = 邀请 `{ $invite }` 从未被接受
    .help = 没有合作方授权用 `via invite { $invite }` 指明它
    .label = 没有授权接受它

admin_unchanged = { TIME($at) } 时 `{ $person }` 已经是企业 `{ $org }` 的超管
    .help = 这次变更没有改变任何东西；请删除它，或写明新的超管
    .label = 没有变化

enables_without_by = 企业 `{ $org }` 开通自动签署服务时没有写明由谁开通
    .help = 请加上 `by PERSON`，即签署服务协议的超管{ KIND($at) ->
        [none] {""}
       *[other] ；{ KIND($admin) ->
            [none] 企业 `{ $org }` 在 { TIME($at) } 没有超管
           *[other] { TIME($at) } 时企业 `{ $org }` 的超管是 `{ $admin }`
        }
    }
    .label = 由谁开通？

undeclared_attribute = 属性 `{ $attr }` 未声明
    .help = { $hint ->
        [did_you_mean] 是否想写 `{ $close }`？
        [check_spelling] 请检查 `{ $attr }` 的拼写
       *[declare] 请声明它，例如 `attribute { $attr }: number`，以便检查其类型
    }
    .label = 未声明

empty_list = `{ $attr } in []` 永远不成立：列表为空{ $of ->
        [forbid] ；对于没有提供该属性的请求，这条禁止规则仍会阻止自动签署
       *[grant] {""}
    }
    .help = 请列出 `{ $attr }` 应匹配的值
    .label = 与空列表比较

revoked_twice = 规则 `{ $rule }` 被撤销了不止一次
    .help = 以最早的一次撤销为准
    .label = 又一次撤销

## 报告

report-summary = { $errors } 个错误，{ $warnings } 个警告
report-no-problems = 没有问题
